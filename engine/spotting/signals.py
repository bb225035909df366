"""Per-frame region features of a long video: what every spotter reads, computed once per video.

A frame is decoded in grayscale (at 1/2 or 1/4 resolution when the face is large enough: JPEG decodes
that cheaply), its face box is cut out (the ground-truth box the synthetic corpus writes beside its
frames, else the whole frame) and resized to ``size``; three regions at fixed proportions of that face
— eyes/brows, nose, mouth — are reduced to ``grid × grid`` block means of intensity (minus the region's
mean, so a global illumination flicker cancels) and of gradient magnitude. The result is
``(T, 3, 2·grid²)`` float32: small enough to keep per video, cheap enough for ≥ 500 frames/s per core.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from engine.errors import GlimpseError
from engine.preprocess.faces import LANDMARKS_FILE
from engine.preprocess.frames import read_gray
from engine.spotting.intervals import Interval

# (y0, y1, x0, x1) as fractions of the face box: where the MEGC baselines' regions of interest sit
REGIONS: dict[str, tuple[float, float, float, float]] = {
    "eyes_brows": (0.10, 0.48, 0.06, 0.94),
    "nose": (0.36, 0.68, 0.30, 0.70),
    "mouth": (0.62, 0.96, 0.18, 0.82),
}

Box = tuple[float, float, float, float]  # x, y, w, h in full-resolution pixels


@dataclass(frozen=True)
class SignalConfig:
    """How frames become region features (part of the feature cache key)."""

    size: int = 96  # side of the resized face box, pixels
    grid: int = 6  # blocks per region side

    def key(self) -> str:
        return f"regions|{self.size}|{self.grid}|{','.join(f'{k}={v}' for k, v in REGIONS.items())}"


@dataclass(frozen=True)
class VideoSignals:
    """One long video as spotters see it: per-frame features, frame numbers, fps and its truth."""

    video: str  # the name intervals use (the recording's name)
    subject: str
    fps: float
    numbers: np.ndarray  # (T,) recording frame numbers
    features: np.ndarray  # (T, R, D) float32
    truth: tuple[Interval, ...] = ()
    clip_id: int | None = None
    meta: dict = field(default_factory=dict)

    @property
    def n_frames(self) -> int:
        return len(self.numbers)


def _region_block_features(face: np.ndarray, grid: int) -> np.ndarray:
    """(R, 2·grid²): per region, block means of intensity (centred) and of gradient magnitude."""
    face = face.astype(np.float32)
    gx = cv2.Sobel(face, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(face, cv2.CV_32F, 0, 1, ksize=3)
    grad = cv2.magnitude(gx, gy)
    side = face.shape[0]
    out = np.empty((len(REGIONS), 2 * grid * grid), np.float32)
    for r, (y0, y1, x0, x1) in enumerate(REGIONS.values()):
        ys, xs = slice(int(y0 * side), int(y1 * side)), slice(int(x0 * side), int(x1 * side))
        blocks = cv2.resize(face[ys, xs], (grid, grid), interpolation=cv2.INTER_AREA)
        edges = cv2.resize(grad[ys, xs], (grid, grid), interpolation=cv2.INTER_AREA)
        out[r, : grid * grid] = (blocks - blocks.mean()).ravel()
        out[r, grid * grid :] = edges.ravel() * 0.25
    return out


def _cut(gray: np.ndarray, box: Box | None, scale: float, size: int) -> np.ndarray:
    h, w = gray.shape
    if box is None:
        x0, y0, x1, y1 = 0, 0, w, h
    else:
        x, y, bw, bh = (v / scale for v in box)
        x0, y0 = max(0, int(round(x))), max(0, int(round(y)))
        x1, y1 = min(w, int(round(x + bw))), min(h, int(round(y + bh)))
        if x1 - x0 < 4 or y1 - y0 < 4:
            x0, y0, x1, y1 = 0, 0, w, h
    return cv2.resize(gray[y0:y1, x0:x1], (size, size), interpolation=cv2.INTER_AREA)


def frame_features(gray: np.ndarray, box: Box | None, cfg: SignalConfig, scale: float = 1.0) -> np.ndarray:
    """(R, D) features of one grayscale frame (decoded at 1/``scale``; ``box`` in full-res pixels)."""
    return _region_block_features(_cut(gray, box, scale, cfg.size), cfg.grid)


def features_of_frames(
    frames: Iterable[np.ndarray], boxes: Sequence[Box | None] | None, cfg: SignalConfig
) -> np.ndarray:
    """(T, R, D) features of in-memory grayscale frames (tests, video files)."""
    rows = [frame_features(f, boxes[i] if boxes else None, cfg) for i, f in enumerate(frames)]
    if not rows:
        raise GlimpseError("a video with no frames has no spotting features")
    return np.stack(rows)


def ground_truth_boxes(folder: Path, files: Sequence[Path]) -> list[Box | None] | None:
    """Per-frame face boxes from ``glimpse_landmarks.json`` beside the frames, when the corpus wrote one."""
    path = folder / LANDMARKS_FILE
    if not path.is_file():
        return None
    try:
        entries = json.loads(path.read_text()).get("frames", {})
    except (OSError, ValueError) as error:
        raise GlimpseError(f"cannot read landmarks: {error}", where=str(path)) from error
    boxes: list[Box | None] = []
    for file in files:
        entry = entries.get(file.name)
        box = entry.get("box") if isinstance(entry, dict) else None
        boxes.append(
            (float(box[0]), float(box[1]), float(box[2]), float(box[3])) if box and len(box) == 4 else None
        )
    return boxes


def _reduce_for(first: Path, boxes: Sequence[Box | None] | None, size: int) -> int:
    """The largest JPEG decode reduction (1, 2, 4) that still leaves the face ≥ ``size`` pixels."""
    box = boxes[0] if boxes else None
    side = min(box[2], box[3]) if box is not None else min(read_gray(first).shape)
    for reduce in (4, 2):
        if side / reduce >= size:
            return reduce
    return 1


def features_of_files(
    files: Sequence[Path], cfg: SignalConfig, boxes: Sequence[Box | None] | None
) -> np.ndarray:
    """(T, R, D) features of image files, decoded at a reduced size when the face allows it."""
    if not files:
        raise GlimpseError("a video with no frames has no spotting features")
    reduce = _reduce_for(files[0], boxes, cfg.size)
    out = np.empty((len(files), len(REGIONS), 2 * cfg.grid * cfg.grid), np.float32)
    for i, file in enumerate(files):
        out[i] = frame_features(read_gray(file, reduce), boxes[i] if boxes else None, cfg, float(reduce))
    return out
