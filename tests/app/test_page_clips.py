"""The Clips page: its filters, the player payload it sends, and a user error shown as a message. AppTest
against conftest.py's seeded catalog."""

from __future__ import annotations

import base64

import cv2
import numpy as np
from app_support import open_on_clip, page, player_data, texts  # type: ignore[import-not-found]


def test_clips_filter_by_label(seeded) -> None:
    at = page("clips").run()
    assert "**5 clips** match" in texts(at)
    at.selectbox(key="clips_f_label").select("negative").run()
    assert "**3 clips** match" in texts(at)
    assert sorted(at.dataframe[0].value["name"]) == ["EP01_02", "EP02_01", "s1_ne_01"]
    at.selectbox(key="clips_f_dataset").select("synthetic-casme2").run()
    assert "**2 clips** match" in texts(at)


def test_player_sends_frames_tracks_and_motion(seeded) -> None:
    cid = seeded.clip_ids[0]
    at = open_on_clip("clips", cid)
    assert not at.exception
    data = player_data(at)
    assert data["clip"]["numbers"] == list(range(100, 110))
    assert data["editable"] is False  # the Clips page views; the Annotate page marks
    window = data["window"]
    assert window["start"] == 0 and window["numbers"] == list(range(100, 110))
    first = cv2.imdecode(np.frombuffer(base64.b64decode(window["images"][0].split(",")[1]), np.uint8), 0)
    assert first.shape == (64, 64)  # a face crop, lossless PNG
    source = next(t for t in data["tracks"] if t["name"] == "source")
    assert (source["onset"], source["apex"], source["offset"]) == (101, 104, 107)
    motion = next(c for c in data["curves"] if c["name"].startswith("motion"))
    curve = dict(zip(motion["numbers"], motion["values"], strict=True))
    assert curve[101] == 0.0 and max(curve.values()) == 1.0  # zero at the onset it is measured from
    assert 102 <= max(curve, key=curve.get) <= 106  # the drawn smile: high between onset and offset
    assert max(curve[100], curve[108], curve[109]) < 0.25
    # the browser asks for a later window: the rerun sends those frames
    at.session_state[f"clips_gp_{cid}_window"] = {"start": 6, "seq": 7}
    at.run()
    window = player_data(at)["window"]
    assert (window["start"], window["numbers"][0], window["seq"]) == (6, 106, 7)


def test_user_error_is_a_message_not_a_traceback(seeded) -> None:
    at = open_on_clip("clips", 999)
    assert not at.exception
    assert [e.value for e in at.error] == [
        "clip 999 is not in the catalog (pick a clip from the Clips table)"
    ]
