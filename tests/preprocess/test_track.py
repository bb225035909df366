"""Tracking: sub-pixel following of a drifting photograph, reduced JPEG decoding, ROI anti-aliasing."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from engine.preprocess.align import shift_matrix, similarity_matrix, warp
from engine.preprocess.config import PreprocessConfig
from engine.preprocess.faces import OpenCVDetector
from engine.preprocess.frames import read_gray
from engine.preprocess.registry import NoFaceError
from engine.preprocess.track import MIN_SCORE, FaceTracker, align_clip, reduce_matrix, reduction_for


def _drifting(gray: np.ndarray, n: int, step: tuple[float, float]) -> list[np.ndarray]:
    return [
        cv2.warpAffine(gray, np.float32([[1, 0, step[0] * t], [0, 1, step[1] * t]]), gray.shape[::-1],
                       borderMode=cv2.BORDER_REFLECT)
        for t in range(n)
    ]  # fmt: skip


def test_tracker_follows_sub_pixel_drift(astronaut_gray: np.ndarray) -> None:
    frames = _drifting(astronaut_gray, 12, (0.7, -0.4))
    det = OpenCVDetector().detect(frames[0])
    tracker = FaceTracker(det.box)
    tracker.reference(frames[0])
    for t, frame in enumerate(frames):
        assert tracker.update(frame) == pytest.approx([0.7 * t, -0.4 * t], abs=0.15)


def test_tracking_keeps_a_drifting_face_still_and_detects_once(astronaut_gray: np.ndarray) -> None:
    frames = _drifting(astronaut_gray, 8, (1.0, 0.5))
    detector, calls = OpenCVDetector(), []

    def detect(i: int, gray: np.ndarray):
        calls.append(i)
        return detector.detect(gray)

    crops = align_clip(frames, len(frames), detect, PreprocessConfig(size=64, track=True)).crops
    assert calls == [0]
    drift = [np.abs(crops[0].astype(int) - c).mean() for c in crops]
    assert max(drift) < 2.0  # the face stays put in the crop (grey levels)
    untracked = np.abs(frames[0].astype(int) - frames[-1]).mean()
    assert untracked > 5 * max(drift)  # while the raw frames moved a lot
    calls.clear()
    align_clip(frames, len(frames), detect, PreprocessConfig(size=64, track=False))
    assert calls == list(range(8))


def test_reduction_is_chosen_only_for_large_faces() -> None:
    big = similarity_matrix((200, 200), (320, 200), 64)  # 120 px between the eyes → crop scale 0.22
    small = similarity_matrix((200, 200), (240, 200), 64)  # 40 px
    assert reduction_for(big) == 2 and reduction_for(small) == 1
    # full-res point p and its half-res position q = (p - 0.5) / 2 land on the same crop pixel
    p = np.array([250.0, 210.0])
    q = (p - 0.5) / 2
    full = big[:, :2] @ p + big[:, 2]
    half = reduce_matrix(big, 2)
    assert half[:, :2] @ q + half[:, 2] == pytest.approx(full)


def test_reduced_jpeg_decoding_matches_full_resolution(tmp_path: Path, astronaut_gray: np.ndarray) -> None:
    large = cv2.resize(astronaut_gray, (1500, 1500), interpolation=cv2.INTER_CUBIC)[100:580, 260:900]
    paths = []
    for i, frame in enumerate(_drifting(large, 6, (0.5, 0.25))):
        paths.append(tmp_path / f"img{i}.jpg")
        cv2.imwrite(str(paths[-1]), frame, [cv2.IMWRITE_JPEG_QUALITY, 95])
    assert read_gray(paths[0], 2).shape == (240, 320)
    detector, reductions = OpenCVDetector(), []

    def load(i: int, r: int = 1) -> np.ndarray:
        reductions.append(r)
        return read_gray(paths[i], r)

    cfg = PreprocessConfig(size=64)
    full = align_clip(load, 6, lambda _i, g: detector.detect(g), cfg, reducible=False).crops
    assert set(reductions) == {1}
    reductions.clear()
    fast = align_clip(load, 6, lambda _i, g: detector.detect(g), cfg, reducible=True).crops
    assert reductions[0] == 1 and set(reductions[1:]) == {2}  # detect at full res, then half-res
    assert np.abs(full.astype(int) - fast).mean() < 1.5


def test_warp_blurs_only_the_face_region(astronaut_gray: np.ndarray) -> None:
    matrix = similarity_matrix((203, 101), (246, 103), 16)  # strong shrink: σ ≈ 2.6
    crop = warp(astronaut_gray, matrix, 16)
    scale = float(np.hypot(matrix[0, 0], matrix[1, 0]))
    sigma = 0.5 * np.sqrt(1 / scale**2 - 1)
    whole = cv2.GaussianBlur(astronaut_gray, (0, 0), sigma, borderType=cv2.BORDER_REPLICATE)
    expected = cv2.warpAffine(
        whole, matrix, (16, 16), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    assert np.abs(crop.astype(int) - expected).max() <= 1  # same as blurring the whole frame
    moved = warp(astronaut_gray, shift_matrix(matrix, 3, 0), 16)
    assert np.abs(moved.astype(int) - crop).mean() > 2  # and it really samples where the face is


def test_tracker_confidence_drops_when_the_face_is_gone(astronaut_gray: np.ndarray) -> None:
    det = OpenCVDetector().detect(astronaut_gray)
    tracker = FaceTracker(det.box)
    tracker.reference(astronaut_gray)
    assert tracker.follow(astronaut_gray)[1] > 0.99
    assert tracker.follow(np.full_like(astronaut_gray, 128))[1] == 0.0  # blank: nothing to match
    rng = np.random.default_rng(0)
    assert tracker.follow(rng.integers(0, 255, astronaut_gray.shape, dtype=np.uint8))[1] < MIN_SCORE


def test_periodic_redetection_catches_a_face_the_template_still_matches(astronaut_gray: np.ndarray) -> None:
    """Frames 6+ look the same to the tracker, but the detector says no face (turned away, say):
    re-detection every 4 frames reports them from frame 8 on and stops cropping there."""
    frames = _drifting(astronaut_gray, 12, (0.5, 0.0))
    detector, calls = OpenCVDetector(), []

    def detect(i: int, gray: np.ndarray):
        calls.append(i)
        if i >= 6:
            raise NoFaceError("no face found", where=f"frame {i}")
        return detector.detect(gray)

    aligned = align_clip(frames, 12, detect, PreprocessConfig(size=32, redetect_every=4))
    assert calls[:3] == [0, 4, 8] and aligned.no_face == [8, 9, 10, 11]
    assert not aligned.crops[8:].any() and aligned.crops[:8].std(axis=(1, 2)).min() > 10


def test_a_face_that_comes_back_is_tracked_again(astronaut_gray: np.ndarray) -> None:
    frames = _drifting(astronaut_gray, 10, (0.0, 0.0))
    for i in (3, 4, 5):
        frames[i] = np.full_like(frames[i], 100)  # covered for three frames
    detector = OpenCVDetector()
    aligned = align_clip(frames, 10, lambda _i, g: detector.detect(g), PreprocessConfig(size=32))
    assert aligned.no_face == [3, 4, 5]
    assert np.abs(aligned.crops[9].astype(int) - aligned.crops[0]).mean() < 1.0  # same face, same place


def test_no_face_anywhere_names_the_frame() -> None:
    blank = [np.full((120, 160), 90, np.uint8)] * 3
    detector = OpenCVDetector()
    with pytest.raises(NoFaceError, match="no face in any of the 3 frames") as info:
        align_clip(
            blank, 3, lambda i, g: detector.detect(g, where=f"clip.avi, frame {i}"), PreprocessConfig()
        )
    assert info.value.where == "clip.avi, frame 0"
