"""Frames for the browser player: windows, sizes, and missing or corrupt frames named, not fatal."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import cv2
import numpy as np

from engine.annotate.player import WindowConfig, crop_window, feature_curve, motion_curve, window_length
from engine.api.player import ClipFrames, raw_window


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
