"""How the Annotate page opens a clip (AppTest on the seeded catalog): a `&frame=` outside the clip is
said, a recording opens on its raw frames with the spot's interval onset as the reference frame, the
clip box follows clips added since, and the next clip of the box is warmed before it is opened."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
from sqlalchemy import insert, select
from streamlit.testing.v1 import AppTest

from db import queries
from db.schema import Clip, Dataset, FaceCrop, Frame, Subject
from db.session import session_scope
from workbench.components import player

TIMEOUT = 60


def annotate() -> AppTest:
    return AppTest.from_string(
        "from workbench.pages import annotate\nannotate.render()\n", default_timeout=TIMEOUT
    )


def sent(at: AppTest) -> dict:
    """What the page sends to the browser player."""
    return json.loads(next(el for el in at.get("bidi_component")).proto.json)


def warnings(at: AppTest) -> str:
    return "\n".join(str(w.value) for w in at.warning)


def add_recording(url: str, root: Path, n_frames: int, interval: tuple[int, int, int] | None) -> int:
    """A recording of ``n_frames`` flat gray frames (numbered from 1) and, optionally, one coded
    (onset, apex, offset) interval; returns its clip id."""
    folder = root / "rec"
    folder.mkdir(parents=True)
    for number in range(1, n_frames + 1):
        cv2.imwrite(str(folder / f"img{number}.png"), np.full((24, 24), number % 251, np.uint8))
    with session_scope(url) as s:
        dataset = Dataset(name="recordings", format="folder", root=str(root), fps=200.0, is_synthetic=True)
        subject = Subject(dataset=dataset, code="r1")
        clip = Clip(
            dataset=dataset, subject=subject, name="rec", path="rec", kind="recording", fps=200.0,
            n_frames=n_frames, first_frame=1, last_frame=n_frames,
        )  # fmt: skip
        s.add_all([dataset, subject, clip])
        s.flush()
        s.execute(
            insert(Frame),
            [
                {"clip_id": clip.id, "index": i, "number": i + 1, "path": f"rec/img{i + 1}.png"}
                for i in range(n_frames)
            ],
        )
        if interval is not None:
            onset, apex, offset = interval
            queries.add_interval(s, clip.id, "kim", onset, offset, "micro", apex=apex)
        return int(clip.id)


def test_frame_outside_the_clip_is_said_not_clamped_silently(seeded) -> None:
    cid = seeded.clip_ids[0]  # frames 100..109
    at = annotate()
    at.query_params["clip"] = str(cid)
    at.query_params["frame"] = "-5"
    at.run()
    assert not at.exception
    assert f"&frame=-5 is outside clip {cid} (frames 100–109); the player opens at its first frame, 100" in (
        warnings(at)
    )
    assert sent(at)["initial"] == 0
    at.query_params["frame"] = str(10**9)
    at.run()
    assert f"&frame={10**9} is outside clip {cid} (frames 100–109)" in warnings(at)
    assert "opens at its last frame, 109" in warnings(at)
    data = sent(at)
    assert data["clip"]["numbers"][data["initial"]] == 109
    at.query_params["frame"] = "104"  # inside: no word about it
    at.run()
    assert "outside" not in warnings(at)
    assert sent(at)["clip"]["numbers"][sent(at)["initial"]] == 104


def test_recording_opened_at_a_spot_compares_with_its_interval_onset(seeded, tmp_path) -> None:
    rid = add_recording(seeded.url, tmp_path / "ds", 600, (200, 224, 250))
    at = annotate()
    at.query_params["clip"] = str(rid)
    at.query_params["frame"] = "224"
    at.run()
    assert not at.exception
    data = sent(at)
    assert data["source"] == "frames"  # a recording opens on its raw frames: no tracking on open
    assert data["clip"]["numbers"][data["initial"]] == 224
    assert data["reference"] == 200  # the onset of the interval around the spot
    window = data["window"]
    inside = window["start"] <= 199 < window["start"] + len(window["numbers"])
    assert inside or "200" in data["anchors"]  # its image travels with the page
    # opened at a frame no interval covers: the recording's first frame, sent along as well
    at.query_params["frame"] = "500"
    at.run()
    data = sent(at)
    assert data["reference"] == 1
    assert data["anchors"]["1"].startswith("data:image/")


def test_clip_box_lists_clips_added_since_it_was_cached(seeded, tmp_path) -> None:
    at = annotate()
    at.run()
    before = at.selectbox(key="ann_clip").options
    rid = add_recording(seeded.url, tmp_path / "ds", 30, None)
    at.run()
    options = at.selectbox(key="ann_clip").options
    assert len(options) == len(before) + 1
    assert options[-1] == f"#{rid} recordings/r1/rec"


def test_next_clip_is_warmed_before_it_is_opened(seeded) -> None:
    first, second = seeded.clip_ids[0], seeded.clip_ids[1]
    with session_scope(seeded.url) as s:
        assert s.scalars(select(FaceCrop).where(FaceCrop.clip_id == second)).all() == []
    at = annotate()
    at.query_params["clip"] = str(first)
    at.run()
    assert not at.exception
    player._PREFETCH.submit(lambda: None).result(timeout=TIMEOUT)  # the warm-up queue has run
    with session_scope(seeded.url) as s:  # the next clip's face crops were made in the background
        crops = s.scalars(select(FaceCrop).where(FaceCrop.clip_id == second)).all()
        assert [c.n_frames for c in crops] == [10]


def test_page_sends_a_short_window_around_the_opening_frame(seeded, tmp_path) -> None:
    """The page sends FIRST_WINDOW frames around the frame it opens at (the player asks for more once it
    is painted), also deep in a long recording: the window was once clamped by the frames per window,
    not by the clip's length, and missed a frame past the first few hundred."""
    rid = add_recording(seeded.url, tmp_path / "ds", 600, None)
    at = annotate()
    at.query_params["clip"] = str(rid)
    at.query_params["frame"] = "500"
    at.run()
    assert not at.exception
    data = sent(at)
    window = data["window"]
    assert len(window["numbers"]) == len(window["images"]) == player.FIRST_WINDOW
    assert 500 in window["numbers"] and data["clip"]["numbers"][data["initial"]] == 500
    assert data["window_size"] > player.FIRST_WINDOW  # later windows are full ones
    at.query_params["frame"] = "600"  # the last frame: the window ends with the clip
    at.run()
    assert sent(at)["window"]["numbers"][-1] == 600
