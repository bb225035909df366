"""Frames and curves packed for the browser player: windows of encoded frames and the curves drawn on
its timeline (``engine.preprocess.frames`` reads the files, ``engine.api.player`` the catalog).

Why windows: the player runs in the browser, so frames must travel there, but a 24,000-frame recording
must open in a second or two. The browser asks for a window of frames around its cursor (a few hundred,
sized to a byte budget) and keeps the windows it has seen; nothing here loads a whole recording.
Frames travel as data URLs (PNG for face crops, which are small and must stay exact for the amplified
difference; JPEG for raw frames). A missing or corrupt frame comes back as ``None`` and is listed, so the
player shows which frame is broken and the rest stays usable.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from engine.errors import GlimpseError

SOURCES = ("crops", "frames", "magnified")  # face crops (aligned, grayscale), raw frames, magnified crops
CROPS_MAX_FRAMES = 2000  # longer clips (recordings) are shown from raw frames: crops need the whole clip


@dataclass(frozen=True)
class WindowConfig:
    """How frames are packed for the browser; the defaults keep one window near 1.5 MB."""

    budget_bytes: int = 1_500_000
    min_frames: int = 48
    max_frames: int = 400
    max_side: int = 480  # raw frames larger than this are downscaled for the browser
    jpeg_quality: int = 88


@dataclass(frozen=True)
class FrameWindow:
    """Frames ``start .. start+len(numbers)-1`` (0-based positions in the clip) as data URLs."""

    start: int
    numbers: list[int]
    images: list[str | None]
    missing: dict[int, str]  # frame number → why it could not be shown
    landmarks: dict[int, list[list[float]]] = field(default_factory=dict)  # in the sent image's pixels
    scale: float = 1.0  # sent image pixels per original pixel


def _data_url(image: np.ndarray, fmt: str, quality: int) -> str:
    if fmt == "png":
        ok, buf = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 1])
        mime = "image/png"
    else:
        ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
        mime = "image/jpeg"
    if not ok:
        raise GlimpseError("cannot encode a frame for the browser")
    return f"data:{mime};base64,{base64.b64encode(buf.tobytes()).decode('ascii')}"


def _fit(image: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    scale = min(1.0, max_side / max(image.shape[:2]))
    if scale < 1.0:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return image, scale


def window_length(sample_bytes: int, config: WindowConfig = WindowConfig()) -> int:
    """Frames per window so that one window stays near the byte budget."""
    per = max(1, sample_bytes)
    return int(max(config.min_frames, min(config.max_frames, config.budget_bytes // per)))


def encode_frame(image: np.ndarray, config: WindowConfig = WindowConfig()) -> tuple[str, float]:
    """A raw frame as a JPEG data URL (downscaled to ``max_side``) and the scale applied."""
    image, scale = _fit(image, config.max_side)
    return _data_url(image, "jpg", config.jpeg_quality), scale


def frames_window(
    start: int,
    numbers: list[int],
    images: Sequence[np.ndarray | str],
    landmarks: Mapping[int, Sequence[tuple[float, float]]],
    config: WindowConfig = WindowConfig(),
) -> FrameWindow:
    """Decoded raw frames as JPEG data URLs, landmarks scaled to the sent pixels; a frame given as a
    string (why it could not be read) is ``None`` in ``images`` and named in ``missing``."""
    urls: list[str | None] = []
    missing: dict[int, str] = {}
    marks: dict[int, list[list[float]]] = {}
    scale = 1.0
    for number, image in zip(numbers, images, strict=True):
        if isinstance(image, str):
            urls.append(None)
            missing[number] = image
            continue
        url, scale = encode_frame(image, config)
        urls.append(url)
        if landmarks.get(number):
            marks[number] = [[round(x * scale, 1), round(y * scale, 1)] for x, y in landmarks[number]]
    return FrameWindow(start, list(numbers), urls, missing, marks, scale)


def crop_window(crops: np.ndarray, numbers: list[int], start: int, count: int) -> FrameWindow:
    """Face crops ``start .. start+count-1`` as PNG data URLs (lossless: the difference view amplifies)."""
    n = len(numbers)
    start = max(0, min(int(start), max(0, n - 1)))
    stop = min(n, start + max(1, int(count)))
    images: list[str | None] = [
        _data_url(np.clip(crops[i], 0, 255).astype(np.uint8), "png", 0) for i in range(start, stop)
    ]
    return FrameWindow(start, numbers[start:stop], images, {})


def motion_curve(crops: np.ndarray, reference_index: int = 0) -> list[float]:
    """Mean absolute difference of every crop to the reference (onset) crop, scaled to 0..1."""
    frames = np.asarray(crops, dtype=np.float32)
    if len(frames) == 0:
        return []
    ref = frames[max(0, min(reference_index, len(frames) - 1))]
    curve = np.abs(frames - ref).reshape(len(frames), -1).mean(axis=1)
    top = float(curve.max())
    return [round(float(v) / top, 4) if top > 0 else 0.0 for v in curve]


def feature_curve(features: np.ndarray) -> list[float]:
    """Distance of each frame's encoder features to the first frame's, scaled to 0..1."""
    feats = np.asarray(features, dtype=np.float32)
    if feats.ndim != 2 or len(feats) == 0:
        return []
    curve = np.linalg.norm(feats - feats[0], axis=1)
    top = float(curve.max())
    return [round(float(v) / top, 4) if top > 0 else 0.0 for v in curve]
