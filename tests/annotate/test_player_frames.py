"""Frames for the browser player: windows, sizes, and missing or corrupt frames named, not fatal."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import cv2
import numpy as np

from engine.annotate.player import WindowConfig, crop_window, feature_curve, motion_curve, window_length
from engine.api.player import raw_window
from engine.preprocess.frames import ClipFrames


def _decode(url: str) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(base64.b64decode(url.split(",", 1)[1]), np.uint8), cv2.IMREAD_UNCHANGED)


def _clip(folder: Path, numbers: list[int], size: int = 40) -> ClipFrames:
    folder.mkdir(parents=True, exist_ok=True)
    for n in numbers:
        cv2.imwrite(str(folder / f"img{n}.png"), np.full((size, size, 3), n, np.uint8))
    return ClipFrames(1, numbers, folder.parent, [f"{folder.name}/img{n}.png" for n in numbers], None)


def test_a_window_is_the_frames_around_the_cursor(tmp_path: Path) -> None:
    frames = _clip(tmp_path / "c", list(range(10, 30)))
    window = raw_window(frames, start=5, count=4)
    assert window.start == 5 and window.numbers == [15, 16, 17, 18]
    assert [int(_decode(u)[20, 20, 0]) for u in window.images] == [15, 16, 17, 18]  # JPEG of a flat gray
    tail = raw_window(frames, start=18, count=10)  # clipped at the end of the clip
    assert tail.numbers == [28, 29]


def test_missing_and_corrupt_frames_are_named_and_the_rest_still_shows(tmp_path: Path) -> None:
    frames = _clip(tmp_path / "c", [1, 2, 3, 4])
    frames.file(1).unlink()
    frames.file(2).write_bytes(b"not an image")
    window = raw_window(frames, start=0, count=4)
    assert window.missing == {2: "missing file", 3: "corrupt image"}
    assert window.images[1] is None and window.images[2] is None
    assert window.images[0] is not None and window.images[3] is not None


def test_landmarks_follow_the_downscale(tmp_path: Path) -> None:
    frames = _clip(tmp_path / "c", [1, 2], size=960)
    points = [[float(i), float(2 * i)] for i in range(68)]
    (tmp_path / "c" / "glimpse_landmarks.json").write_text(
        json.dumps({"frames": {"img1.png": {"box": [0, 0, 10, 10], "landmarks": points}}})
    )
    window = raw_window(frames, 0, 2, WindowConfig(max_side=480))
    assert _decode(window.images[0]).shape[:2] == (480, 480)
    assert window.landmarks[1][10] == [5.0, 10.0]  # scaled by 480/960
    assert 2 not in window.landmarks


def test_crops_travel_lossless_and_windows_fit_the_budget() -> None:
    crops = np.random.default_rng(0).integers(0, 255, (6, 16, 16)).astype(np.float32)
    window = crop_window(crops, [5, 6, 7, 8, 9, 10], start=2, count=3)
    assert window.numbers == [7, 8, 9]
    assert np.array_equal(_decode(window.images[0]), crops[2].astype(np.uint8))  # PNG: exact pixels
    config = WindowConfig(budget_bytes=100_000, min_frames=10, max_frames=500)
    assert window_length(1_000, config) == 100
    assert window_length(50_000, config) == 10 and window_length(1, config) == 500


def test_curves_are_scaled_to_one() -> None:
    crops = np.zeros((5, 4, 4), np.float32)
    crops[2] += 10
    crops[3] += 5
    assert motion_curve(crops, reference_index=0) == [0.0, 0.0, 1.0, 0.5, 0.0]
    feats = np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]])
    assert feature_curve(feats) == [0.0, 0.5, 1.0]


def test_tracks_and_frame_windows_from_the_catalog(db_url: str, home: Path) -> None:
    """A recording's intervals are one track per annotator (a bar each); annotations one track each;
    a window is read from the catalog's frame list, far into the recording, without the rest."""
    from sqlalchemy import insert

    from db import queries
    from db.schema import RECORDING, Annotation, Clip, Dataset, Frame, Subject
    from db.session import session_scope
    from engine import api

    numbers = list(range(1, 2001))
    root = home / "rec"
    folder = root / "r1"
    folder.mkdir(parents=True)
    for n in (1, 1990, 1991):
        cv2.imwrite(str(folder / f"img{n}.png"), np.full((8, 8, 3), n % 251, np.uint8))
    with session_scope(db_url) as s:
        ds = Dataset(name="rec", format="folder", root=str(root), fps=200.0)
        sub = Subject(dataset=ds, code="s1")
        clip = Clip(dataset=ds, subject=sub, name="r1", path="r1", kind=RECORDING, n_frames=2000,
                    first_frame=1, last_frame=2000)  # fmt: skip
        s.add_all([ds, sub, clip])
        s.flush()
        s.execute(insert(Frame), [{"clip_id": clip.id, "index": i, "number": n, "path": f"r1/img{n}.png"}
                                  for i, n in enumerate(numbers)])  # fmt: skip
        s.add(Annotation(clip_id=clip.id, annotator="source", onset=10, apex=12, offset=20))
        queries.add_interval(s, clip.id, "kim", 100, 140, "micro", apex=120)
        queries.add_interval(s, clip.id, "kim", 900, 1200, "macro")
        clip_id = clip.id
    tracks = api.coding_tracks(api.local_actor(), clip_id)
    kim = next(t for t in tracks if t.name == "kim intervals")
    assert isinstance(kim, api.IntervalTrack)
    assert kim.bars == (api.IntervalBar(100, 120, 140, "micro"), api.IntervalBar(900, None, 1200, "macro"))
    source = next(t for t in tracks if t.name == "source")
    assert isinstance(source, api.CodingTrack)
    assert (source.onset, source.apex, source.offset) == (10, 12, 20)
    window = api.frame_window(clip_id, "frames", 1989, 3)
    assert window.numbers == [1990, 1991, 1992]
    assert window.missing == {1992: "missing file"}  # only the window's files are read
    assert int(_decode(window.images[0])[4, 4, 0]) == 1990 % 251
