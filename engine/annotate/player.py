"""What the browser player needs from the catalog: the clip's frame list, windows of encoded frames,
landmarks, and the curves and tracks drawn on its timeline.

Why windows: the player runs in the browser, so frames must travel there, but a 24,000-frame recording
must open in a second or two. The browser asks for a window of frames around its cursor (a few hundred,
sized to a byte budget) and keeps the windows it has seen; nothing here loads a whole recording.
Frames travel as data URLs (PNG for face crops, which are small and must stay exact for the amplified
difference; JPEG for raw frames). A missing or corrupt frame comes back as ``None`` and is listed, so the
player shows which frame is broken and the rest stays usable.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.schema import Annotation, Clip, Frame
from db.session import default_url, session_scope
from engine.errors import GlimpseError
from engine.paths import resolve_within
from engine.preprocess.cache import clip_crops
from engine.preprocess.frames import VideoFrames, is_video

SOURCES = ("crops", "frames")  # face crops (aligned, grayscale) or the dataset's raw frames
CROPS_MAX_FRAMES = 2000  # longer clips (recordings) are shown from raw frames: crops need the whole clip
LANDMARKS_FILE = "glimpse_landmarks.json"


@dataclass(frozen=True)
class WindowConfig:
    """How frames are packed for the browser; the defaults keep one window near 2 MB."""

    budget_bytes: int = 2_000_000
    min_frames: int = 48
    max_frames: int = 600
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

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "numbers": self.numbers,
            "images": self.images,
            "missing": {str(k): v for k, v in self.missing.items()},
            "landmarks": {str(k): v for k, v in self.landmarks.items()},
        }


@dataclass(frozen=True)
class ClipFrames:
    """Where a clip's frames are: image files by frame number, or a video read by position."""

    clip_id: int
    numbers: list[int]
    files: list[Path]
    video: Path | None


def clip_frames(session: Session, clip_id: int) -> ClipFrames:
    """The clip's frame numbers and files (resolved inside the dataset root)."""
    clip = session.get(Clip, int(clip_id))
    if clip is None:
        raise GlimpseError(f"clip {clip_id} is not in the catalog", hint="pick a clip from the Clips table")
    rows = session.execute(
        select(Frame.number, Frame.path).where(Frame.clip_id == clip.id).order_by(Frame.index)
    ).all()
    root = clip.dataset.root
    video = resolve_within(root, clip.path) if clip.path else None
    if video is not None and is_video(video):
        return ClipFrames(clip.id, [int(n) for n, _ in rows], [video] * len(rows), video)
    return ClipFrames(clip.id, [int(n) for n, _ in rows], [resolve_within(root, p) for _, p in rows], None)


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


def _read_color(path: Path) -> np.ndarray | str:
    """BGR frame, or the reason it cannot be shown (missing, empty, corrupt)."""
    if not path.is_file():
        return "missing file"
    data = np.fromfile(path, dtype=np.uint8)
    if data.size == 0:
        return "empty file"
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    return "corrupt image" if image is None else image


def _landmarks_of(folder: Path) -> dict[str, Any]:
    file = folder / LANDMARKS_FILE
    if not file.is_file():
        return {}
    try:
        frames = json.loads(file.read_text()).get("frames", {})
    except (OSError, ValueError):
        return {}  # an unreadable overlay must not stop the player; the frames still show
    return frames if isinstance(frames, dict) else {}


def _fit(image: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    scale = min(1.0, max_side / max(image.shape[:2]))
    if scale < 1.0:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return image, scale


def window_length(sample_bytes: int, config: WindowConfig = WindowConfig()) -> int:
    """Frames per window so that one window stays near the byte budget."""
    per = max(1, sample_bytes)
    return int(max(config.min_frames, min(config.max_frames, config.budget_bytes // per)))


def raw_window(
    frames: ClipFrames, start: int, count: int, config: WindowConfig = WindowConfig()
) -> FrameWindow:
    """Raw frames ``start .. start+count-1`` as JPEG data URLs, with landmarks when the dataset has them."""
    n = len(frames.numbers)
    start = max(0, min(int(start), max(0, n - 1)))
    stop = min(n, start + max(1, int(count)))
    images: list[str | None] = []
    missing: dict[int, str] = {}
    marks: dict[int, list[list[float]]] = {}
    scale = 1.0
    reader = VideoFrames(frames.video) if frames.video is not None else None
    overlays: dict[Path, dict[str, Any]] = {}
    try:
        for i in range(start, stop):
            number = frames.numbers[i]
            if reader is not None:
                try:
                    image: np.ndarray | str = reader.read(i)
                except GlimpseError as error:
                    image = error.message
            else:
                image = _read_color(frames.files[i])
            if isinstance(image, str):
                images.append(None)
                missing[number] = image
                continue
            image, scale = _fit(image, config.max_side)
            images.append(_data_url(image, "jpg", config.jpeg_quality))
            if reader is None:
                folder = frames.files[i].parent
                if folder not in overlays:
                    overlays[folder] = _landmarks_of(folder)
                entry = overlays[folder].get(frames.files[i].name) or {}
                points = entry.get("landmarks") if isinstance(entry, dict) else None
                if points:
                    marks[number] = [[round(x * scale, 1), round(y * scale, 1)] for x, y in points]
    finally:
        if reader is not None:
            reader.close()
    return FrameWindow(start, frames.numbers[start:stop], images, missing, marks, scale)


def crop_window(crops: np.ndarray, numbers: list[int], start: int, count: int) -> FrameWindow:
    """Face crops ``start .. start+count-1`` as PNG data URLs (lossless: the difference view amplifies)."""
    n = len(numbers)
    start = max(0, min(int(start), max(0, n - 1)))
    stop = min(n, start + max(1, int(count)))
    images: list[str | None] = [
        _data_url(np.clip(crops[i], 0, 255).astype(np.uint8), "png", 0) for i in range(start, stop)
    ]
    return FrameWindow(start, numbers[start:stop], images, {})


def face_crops(session: Session, clip_id: int) -> tuple[np.ndarray, list[int], str]:
    """The clip's crops (T, S, S), frame numbers and backend; refused for recordings (too long)."""
    clip = session.get(Clip, int(clip_id))
    if clip is not None and clip.n_frames > CROPS_MAX_FRAMES:
        raise GlimpseError(
            f"clip {clip_id} has {clip.n_frames} frames; face crops are shown for clips up to "
            f"{CROPS_MAX_FRAMES}",
            hint="view the raw frames, or preprocess the intervals of the recording",
        )
    crop_set = clip_crops(session, int(clip_id))
    return crop_set.frames, list(crop_set.frame_numbers), crop_set.backend


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


def _tracks(session: Session, clip_id: int) -> list[dict[str, Any]]:
    rows = list(session.scalars(select(Annotation).where(Annotation.clip_id == int(clip_id))))
    rows.sort(key=lambda a: (a.annotator != "source", a.annotator))
    return [
        {
            "name": a.annotator,
            "onset": a.onset,
            "apex": a.apex,
            "offset": a.offset,
            "label": a.label,
            "emotion": a.emotion,
            "updated": a.updated_at.isoformat(timespec="seconds") if a.updated_at else None,
        }
        for a in rows
    ]


# ---------------------------------------------------------------- one short transaction each (for pages)


def tracks(clip_id: int) -> list[dict[str, Any]]:
    """Every coding of a clip as a timeline track: the dataset's own (``source``) first."""
    with session_scope(default_url()) as session:
        return _tracks(session, clip_id)


def clip_crops_for_player(clip_id: int) -> tuple[np.ndarray, list[int], str]:
    """The clip's face crops, frame numbers and backend (refused for recordings: see CROPS_MAX_FRAMES)."""
    with session_scope(default_url()) as session:
        return face_crops(session, clip_id)


def frame_window(
    clip_id: int, source: str, start: int, count: int, crops: tuple[np.ndarray, list[int]] | None = None
) -> FrameWindow:
    """A window of the clip's frames for the browser: face crops (pass them in) or raw frames."""
    if source not in SOURCES:
        raise GlimpseError(f"unknown frame source {source!r}", hint=f"one of {', '.join(SOURCES)}")
    if source == "crops":
        if crops is None:
            crops = clip_crops_for_player(clip_id)[:2]
        return crop_window(crops[0], crops[1], start, count)
    with session_scope(default_url()) as session:
        frames = clip_frames(session, clip_id)
    return raw_window(frames, start, count)
