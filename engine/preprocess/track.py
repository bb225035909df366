"""One alignment per clip: detect the face on a reference frame (first / onset), then follow it.

Re-detecting every frame is slow and makes the crop jitter by a pixel or two — as large as the
micro-movement itself. Instead the reference transform is reused and only the face's translation is
followed, by normalised template matching of a small face patch against the reference patch (sub-pixel,
and no drift: every frame is compared with the reference, not with its predecessor).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from engine.preprocess.align import shift_matrix, similarity_matrix, warp
from engine.preprocess.config import PreprocessConfig
from engine.preprocess.detect import Detection

PATCH = 64  # side of the tracking template (pixels); the face box is resampled to it
MARGIN = 10  # search ± this many template pixels around the last position (≈ 15 % of the face per frame)
MIN_SCORE = 0.5  # normalised correlation below this = lost: keep the last good position


def _subpixel(values: np.ndarray, i: int) -> float:
    """Parabola vertex through the peak and its two neighbours."""
    if 0 < i < len(values) - 1:
        a, b, c = values[i - 1], values[i], values[i + 1]
        denom = a - 2 * b + c
        if abs(denom) > 1e-9:
            return float(i + 0.5 * (a - c) / denom)
    return float(i)


@dataclass
class FaceTracker:
    """Follows the reference face's translation through later frames (template matching, sub-pixel)."""

    box: tuple[float, float, float, float]
    patch: int = PATCH
    margin: int = MARGIN

    def __post_init__(self) -> None:
        self._reference: np.ndarray | None = None
        self.offset = np.zeros(2)
        self.scale = self.patch / max(self.box[2], self.box[3])

    def _window(self, gray: np.ndarray, offset: np.ndarray, pad: int) -> np.ndarray:
        x, y, _, _ = self.box
        k, side = self.scale, self.patch + 2 * pad
        # sub-pixel extraction: scale the box to the template size and shift it by the offset
        m = np.array([[k, 0.0, -(x + offset[0]) * k + pad], [0.0, k, -(y + offset[1]) * k + pad]])
        window = cv2.warpAffine(
            gray, m, (side, side), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        return window.astype(np.float32)

    def reference(self, gray: np.ndarray) -> None:
        self._reference = self._window(gray, np.zeros(2), 0)
        self.offset = np.zeros(2)

    def update(self, gray: np.ndarray) -> np.ndarray:
        """The face's (dx, dy) from the reference frame, in image pixels."""
        assert self._reference is not None, "call reference() first"
        search = self._window(gray, self.offset, self.margin)
        scores = cv2.matchTemplate(search, self._reference, cv2.TM_CCOEFF_NORMED)
        _, best, _, (bx, by) = cv2.minMaxLoc(scores)
        if best >= MIN_SCORE:
            dx = _subpixel(scores[by, :], bx) - self.margin
            dy = _subpixel(scores[:, bx], by) - self.margin
            self.offset = self.offset + np.array([dx, dy]) / self.scale
        return self.offset.copy()


MIN_SOURCE_PX = 2.0  # reduced decoding keeps at least this many source pixels per crop pixel


def reduction_for(matrix: np.ndarray, choices: Sequence[int] = (8, 4, 2)) -> int:
    """The largest JPEG DCT reduction (1/2, 1/4, 1/8) that still over-samples the crop."""
    scale = float(np.hypot(matrix[0, 0], matrix[1, 0]))  # crop pixels per source pixel
    for r in choices:
        if scale * r * MIN_SOURCE_PX <= 1.0:
            return r
    return 1


def reduce_matrix(matrix: np.ndarray, r: int) -> np.ndarray:
    """The same alignment for an image decoded at 1/r: full-res p = r·q + (r-1)/2 (pixel-area centres)."""
    if r == 1:
        return matrix
    out = matrix.copy()
    out[:, :2] = matrix[:, :2] * r
    out[:, 2] = matrix[:, :2] @ np.full(2, (r - 1) / 2.0) + matrix[:, 2]
    return out


def reduce_box(box: tuple[float, float, float, float], r: int) -> tuple[float, float, float, float]:
    c = (r - 1) / 2.0
    return ((box[0] - c) / r, (box[1] - c) / r, box[2] / r, box[3] / r)


def align_clip(
    frames: Sequence[np.ndarray] | Callable[..., np.ndarray],
    n_frames: int,
    detect: Callable[[int, np.ndarray], Detection],
    cfg: PreprocessConfig,
    reference: int = 0,
    reducible: bool = False,
) -> tuple[np.ndarray, Detection]:
    """(T, size, size) uint8 crops of a clip and the reference detection.

    ``frames`` is a sequence of grayscale frames or a loader ``i -> frame`` (so a long clip is decoded
    one frame at a time). ``detect(i, gray)`` finds the face in frame ``i``. With ``cfg.track`` the face is
    detected once on ``reference`` and tracked; otherwise it is detected on every frame.

    ``reducible``: the loader also takes ``(i, r)`` and returns the frame decoded at 1/r (JPEG's cheap
    DCT scaling). When tracking a face much larger than the crop, frames after the reference are then
    decoded smaller — decoding, not tracking, is the cost that is left.
    """
    load: Callable[..., np.ndarray] = frames if callable(frames) else frames.__getitem__
    out = np.empty((n_frames, cfg.size, cfg.size), dtype=np.uint8)
    ref_gray = load(reference)
    ref = detect(reference, ref_gray)
    base = similarity_matrix(ref.left_eye, ref.right_eye, cfg.size, cfg.eye_distance, cfg.eye_y)
    r = reduction_for(base) if (reducible and cfg.track and callable(frames)) else 1
    tracker = FaceTracker(reduce_box(ref.box, r)) if cfg.track else None
    if r > 1:
        ref_gray, base = load(reference, r), reduce_matrix(base, r)
    if tracker is not None:
        tracker.reference(ref_gray)
    # follow the face outwards from the reference so tracking never jumps across the clip
    order = list(range(reference, n_frames)) + list(range(reference - 1, -1, -1))
    for i in order:
        if i == reference - 1 and tracker is not None:
            tracker.offset = np.zeros(2)
        gray = ref_gray if i == reference else (load(i, r) if r > 1 else load(i))
        if tracker is None:
            det = ref if i == reference else detect(i, gray)
            matrix = similarity_matrix(det.left_eye, det.right_eye, cfg.size, cfg.eye_distance, cfg.eye_y)
        else:
            dx, dy = tracker.update(gray) if i != reference else (0.0, 0.0)
            matrix = shift_matrix(base, dx, dy)
        out[i] = warp(gray, matrix, cfg.size)
    return out, ref
