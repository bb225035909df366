"""One alignment per clip: detect the face on a reference frame (first / onset), then follow it.

Re-detecting every frame is slow and makes the crop jitter by a pixel or two — as large as the
micro-movement itself. Instead the reference transform is reused and only the face's translation is
followed, by normalised template matching of a small face patch against the reference patch (sub-pixel,
and no drift: every frame is compared with the reference, not with its predecessor).

Tracking must also notice when there is no face to follow. The match score is the tracker's confidence:
below ``MIN_SCORE`` the face is lost and the detector runs at once; the detector also runs every
``redetect_every`` frames, which catches a face that turned away or was covered while the patch still
matched. A frame without a face is reported and left blank — never cropped from the last box.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from engine.preprocess.align import shift_matrix, similarity_matrix, warp
from engine.preprocess.config import PreprocessConfig
from engine.preprocess.registry import Detection, NoFaceError

PATCH = 64  # side of the tracking template (pixels); the face box is resampled to it
MARGIN = 10  # search ± this many template pixels around the last position (≈ 15 % of the face per frame)
MIN_SCORE = 0.5  # normalised correlation below this = the face is lost
MIN_CONTRAST = 2.0  # a search window flatter than this (grey-level std) holds no face: blank, covered
REANCHOR = 0.35  # a re-detection this far (fraction of the box side) from the tracked box: start over there


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
        """The face's (dx, dy) from the reference frame, in image pixels (kept when the match is poor)."""
        return self.follow(gray)[0]

    def follow(self, gray: np.ndarray) -> tuple[np.ndarray, float]:
        """(offset, confidence): the match score in [-1, 1]; below ``MIN_SCORE`` the offset is not moved."""
        assert self._reference is not None, "call reference() first"
        search = self._window(gray, self.offset, self.margin)
        if float(search.std()) < MIN_CONTRAST:
            return self.offset.copy(), 0.0
        scores = cv2.matchTemplate(search, self._reference, cv2.TM_CCOEFF_NORMED)
        scores = np.nan_to_num(scores, nan=0.0, posinf=0.0, neginf=0.0)
        _, best, _, (bx, by) = cv2.minMaxLoc(scores)
        if best >= MIN_SCORE:
            dx = _subpixel(scores[by, :], bx) - self.margin
            dy = _subpixel(scores[:, bx], by) - self.margin
            self.offset = self.offset + np.array([dx, dy]) / self.scale
        return self.offset.copy(), float(best)

    def tracked_box(self) -> tuple[float, float, float, float]:
        x, y, w, h = self.box
        return (x + float(self.offset[0]), y + float(self.offset[1]), w, h)


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


@dataclass
class AlignedClip:
    """A clip's crops and what tracking learnt about each frame."""

    crops: np.ndarray  # (T, size, size) uint8; a frame without a face is all zeros
    reference: Detection  # the first detection (on the reference frame or the first frame with a face)
    no_face: list[int] = field(default_factory=list)  # 0-based indices of frames without a face
    landmarks: np.ndarray | None = None  # (T, 68, 2) source-pixel points when the backend refines; NaN: none
    matrices: np.ndarray | None = None  # (T, 2, 3) source → crop transforms; NaN where no face


def _matrix(det: Detection, cfg: PreprocessConfig) -> np.ndarray:
    return similarity_matrix(det.left_eye, det.right_eye, cfg.size, cfg.eye_distance, cfg.eye_y)


def _far(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Whether two boxes' centres are more than ``REANCHOR`` of a side apart."""
    ca = np.array([a[0] + a[2] / 2, a[1] + a[3] / 2])
    cb = np.array([b[0] + b[2] / 2, b[1] + b[3] / 2])
    return float(np.hypot(*(ca - cb))) > REANCHOR * max(a[2], a[3], 1.0)


def align_clip(
    frames: Sequence[np.ndarray] | Callable[..., np.ndarray],
    n_frames: int,
    detect: Callable[[int, np.ndarray], Detection],
    cfg: PreprocessConfig,
    reference: int = 0,
    reducible: bool = False,
    refine: Callable[[int, np.ndarray, tuple[float, float, float, float]], Detection] | None = None,
    detect_near: Callable[[int, np.ndarray, tuple[float, float, float, float]], Detection] | None = None,
) -> AlignedClip:
    """(T, size, size) uint8 crops of a clip, the reference detection, and the frames without a face.

    ``frames`` is a sequence of grayscale frames or a loader ``i -> frame`` (so a long clip is decoded
    one frame at a time). ``detect(i, gray)`` finds the face in frame ``i`` and raises ``NoFaceError``
    when there is none. With ``cfg.track`` the face is detected on ``reference`` (or, if it has none,
    on the next frame that has one) and tracked; otherwise it is detected on every frame.
    ``refine(i, gray, box)``, when given (landmark backends), fits the landmarks inside the tracked box on
    every frame and the crop is aligned on that frame's own eyes. ``detect_near(i, gray, box)``, when
    given, is the cheaper periodic check (search only around the tracked box); a lost face is always
    searched for in the whole frame.

    ``reducible``: the loader also takes ``(i, r)`` and returns the frame decoded at 1/r (JPEG's cheap
    DCT scaling). When tracking a face much larger than the crop, frames after the reference are then
    decoded smaller — decoding, not tracking, is the cost that is left.

    Raises ``NoFaceError`` (naming what ``detect`` named) when no frame has a face.
    """
    load = frames if callable(frames) else frames.__getitem__
    walker = _Walker(load, detect, refine, detect_near, cfg, n_frames)
    if not cfg.track:
        for i in range(n_frames):
            walker.detect_only(i)
    else:
        reduce = reducible and callable(frames) and refine is None
        walker.walk(list(range(reference, n_frames)), reduce)
        walker.walk(list(range(reference - 1, -1, -1)), reduce)
    if walker.first is None:
        assert walker.first_error is not None
        if n_frames > 1:
            raise NoFaceError(
                f"no face in any of the {n_frames} frames ({walker.first_error.message})",
                where=walker.first_error.where,
                hint="check the clip, or try another --backend",
            )
        raise walker.first_error
    return AlignedClip(
        crops=walker.out,
        reference=walker.first,
        no_face=sorted(walker.no_face),
        landmarks=walker.landmarks if refine is not None else None,
        matrices=walker.matrices,
    )


class _Walker:
    """The per-frame state of ``align_clip``: crops so far, which frames had no face, the tracker."""

    def __init__(
        self,
        load: Callable[..., np.ndarray],
        detect: Callable[[int, np.ndarray], Detection],
        refine: Callable[[int, np.ndarray, tuple[float, float, float, float]], Detection] | None,
        detect_near: Callable[[int, np.ndarray, tuple[float, float, float, float]], Detection] | None,
        cfg: PreprocessConfig,
        n_frames: int,
    ) -> None:
        self.load, self.detect, self.refine, self.cfg = load, detect, refine, cfg
        self.detect_near = detect_near
        self.out = np.zeros((n_frames, cfg.size, cfg.size), dtype=np.uint8)
        self.landmarks = np.full((n_frames, 68, 2), np.nan)
        self.matrices = np.full((n_frames, 2, 3), np.nan)
        self.no_face: set[int] = set()
        self.first: Detection | None = None
        self.first_error: NoFaceError | None = None

    def _try_detect(
        self, i: int, gray: np.ndarray, near: tuple[float, float, float, float] | None = None
    ) -> Detection | None:
        try:
            if near is not None and self.detect_near is not None:
                det = self.detect_near(i, gray, near)
            else:
                det = self.detect(i, gray)
        except NoFaceError as error:
            self.first_error = self.first_error or error
            self.no_face.add(i)
            return None
        if self.first is None:
            self.first = det
        return det

    def _emit(self, i: int, gray: np.ndarray, matrix: np.ndarray, det: Detection | None) -> None:
        self.out[i] = warp(gray, matrix, self.cfg.size)
        self.matrices[i] = matrix
        if det is not None and det.landmarks is not None:
            self.landmarks[i] = det.landmarks

    def detect_only(self, i: int) -> None:
        gray = self.load(i)
        det = self._try_detect(i, gray)
        if det is not None:
            self._emit(i, gray, _matrix(det, self.cfg), det)

    def walk(self, order: list[int], reducible: bool) -> None:
        """Track through ``order``: anchor on a detection, follow it, re-detect when lost or due."""
        cfg = self.cfg
        tracker: FaceTracker | None = None
        base = np.zeros((2, 3))
        r, since, at = 1, 0, 0
        follow: _LandmarkBox | None = None
        while at < len(order):
            i = order[at]
            at += 1
            if tracker is None:  # no face yet (or lost): only a detection can start tracking
                gray = self.load(i)
                det = self._try_detect(i, gray)
                if det is None:
                    continue
                base = _matrix(det, cfg)
                r = reduction_for(base) if reducible else 1
                if r > 1:
                    gray, base = self.load(i, r), reduce_matrix(base, r)
                tracker = FaceTracker(reduce_box(det.box, r))
                tracker.reference(gray)
                since = 0
                follow = _LandmarkBox(det) if self.refine is not None else None
                self._emit(i, gray, base, det)
                continue
            gray = self.load(i, r) if r > 1 else self.load(i)
            offset, confidence = tracker.follow(gray)
            since += 1
            if confidence < MIN_SCORE or since >= cfg.redetect_every:
                near = _full_box(tracker.tracked_box(), r) if confidence >= MIN_SCORE else None
                det = self._try_detect(i, self.load(i) if r > 1 else gray, near)
                since = 0
                if det is None:
                    tracker = None  # the face left, turned away or is covered: report, don't crop
                    continue
                if confidence < MIN_SCORE or _far(det.box, _full_box(tracker.tracked_box(), r)):
                    tracker = None  # the tracker lost it or drifted: anchor again on this frame
                    at -= 1
                    continue
            if follow is not None and self.refine is not None:
                det = self.refine(i, gray, follow.box(offset))
                follow.update(det, offset)
                self._emit(i, gray, _matrix(det, cfg), det)
            else:
                self._emit(i, gray, shift_matrix(base, float(offset[0]), float(offset[1])), None)


class _LandmarkBox:
    """Where to fit the landmarks next: the previous frame's points, as the detector would box them.

    The detector's box relates to the 68 points' extent by a fixed offset and scale (measured on the
    detection that started tracking), so following the points follows the face's scale and position too
    — a box that only translated would drift off a face that comes closer. The tracker's frame-to-frame
    shift is added, so a fast move is followed before the points are refitted.
    """

    def __init__(self, det: Detection) -> None:
        assert det.landmarks is not None, "a refining backend's detections carry landmarks"
        centre, side = self._extent(det.landmarks)
        x, y, w, h = det.box
        self._shift = (np.array([x + w / 2, y + h / 2]) - centre) / side
        self._scale = np.array([w, h]) / side
        self._points, self._offset = det.landmarks, np.zeros(2)

    @staticmethod
    def _extent(points: np.ndarray) -> tuple[np.ndarray, float]:
        lo, hi = points.min(axis=0), points.max(axis=0)
        return (lo + hi) / 2, float((hi - lo).max())

    def box(self, offset: np.ndarray) -> tuple[float, float, float, float]:
        centre, side = self._extent(self._points)
        centre = centre + self._shift * side + (offset - self._offset)
        w, h = self._scale * side
        return (float(centre[0] - w / 2), float(centre[1] - h / 2), float(w), float(h))

    def update(self, det: Detection, offset: np.ndarray) -> None:
        assert det.landmarks is not None
        self._points, self._offset = det.landmarks, np.asarray(offset, dtype=np.float64).copy()


def _full_box(box: tuple[float, float, float, float], r: int) -> tuple[float, float, float, float]:
    """A box in a 1/r-decoded frame, back in full-resolution pixels (inverse of ``reduce_box``)."""
    if r == 1:
        return box
    c = (r - 1) / 2.0
    return (box[0] * r + c, box[1] * r + c, box[2] * r, box[3] * r)
