"""The browser player's data: a clip's frames in windows (face crops or raw frames, with landmarks), the
codings drawn as timeline tracks, and the motion / feature curves (``engine.annotate.player`` packs
them; this module reads the catalog and the files, inside the dataset root)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from db import queries
from engine.annotate.player import (
    CROPS_MAX_FRAMES,
    SOURCES,
    FrameWindow,
    WindowConfig,
    crop_window,
    encode_frame,
    feature_curve,
    motion_curve,
    window_length,
)
from engine.api.access import Actor, require_clip, visible
from engine.api.frames import FaceCrops, face_crops
from engine.api.magnify import MagnifyConfig, magnified_window
from engine.api.session import get_clip, get_session
from engine.errors import GlimpseError
from engine.paths import resolve_within
from engine.preprocess.faces import ground_truth_marks
from engine.preprocess.frames import VideoFrames, is_video

__all__ = [
    "CROPS_MAX_FRAMES",
    "SOURCES",
    "FrameWindow",
    "WindowConfig",
    "coding_tracks",
    "feature_curve",
    "frame_window",
    "motion_curve",
    "player_crops",
    "window_length",
]


@dataclass(frozen=True)
class ClipFrames:
    """Where a clip's frames are: files under the dataset root by frame number, or a video by position.

    Paths stay relative until a window needs them: resolving 24,000 paths up front took seconds."""

    clip_id: int
    numbers: list[int]
    root: Path
    paths: list[str]  # dataset-relative
    video: Path | None

    def file(self, index: int) -> Path:
        return resolve_within(self.root, self.paths[index])


def clip_frames(clip_id: int) -> ClipFrames:
    """The clip's frame numbers and where their files are."""
    with get_session() as session:
        clip = get_clip(session, clip_id)
        rows = queries.frame_listing(session, clip.id)
        root = Path(clip.dataset.root)
        video = resolve_within(root, clip.path) if clip.path else None
    numbers, paths = [n for n, _ in rows], [p for _, p in rows]
    return ClipFrames(
        int(clip_id), numbers, root, paths, video if video is not None and is_video(video) else None
    )


def _read_color(path: Path) -> np.ndarray | str:
    """BGR frame, or the reason it cannot be shown (missing, empty, corrupt)."""
    if not path.is_file():
        return "missing file"
    data = np.fromfile(path, dtype=np.uint8)
    if data.size == 0:
        return "empty file"
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    return "corrupt image" if image is None else image


def raw_window(
    frames: ClipFrames, start: int, count: int, config: WindowConfig = WindowConfig()
) -> FrameWindow:
    """Raw frames ``start .. start+count-1`` as JPEG data URLs, with landmarks when the dataset has them.

    A missing or corrupt frame is ``None`` in ``images`` and named in ``missing``; the rest still show.
    """
    n = len(frames.numbers)
    start = max(0, min(int(start), max(0, n - 1)))
    stop = min(n, start + max(1, int(count)))
    images: list[str | None] = []
    missing: dict[int, str] = {}
    marks: dict[int, list[list[float]]] = {}
    scale = 1.0
    reader = VideoFrames(frames.video) if frames.video is not None else None
    try:
        for i in range(start, stop):
            number = frames.numbers[i]
            image: np.ndarray | str
            if reader is not None:
                try:
                    image = reader.read(i)
                except GlimpseError as error:
                    image = error.message
            else:
                image = _read_color(frames.file(i))
            if isinstance(image, str):
                images.append(None)
                missing[number] = image
                continue
            url, scale = encode_frame(image, config)
            images.append(url)
            if reader is None:
                path = frames.file(i)
                found = ground_truth_marks(path.parent, path.name)
                if found is not None and found.landmarks:
                    marks[number] = [[round(x * scale, 1), round(y * scale, 1)] for x, y in found.landmarks]
    finally:
        if reader is not None:
            reader.close()
    return FrameWindow(start, frames.numbers[start:stop], images, missing, marks, scale)


def player_crops(clip_id: int) -> FaceCrops:
    """The clip's face crops for the player; refused for recordings (they need the whole clip)."""
    with get_session() as session:
        n_frames = get_clip(session, clip_id).n_frames
    if n_frames > CROPS_MAX_FRAMES:
        raise GlimpseError(
            f"clip {clip_id} has {n_frames} frames; face crops are shown for clips up to {CROPS_MAX_FRAMES}",
            hint="view the raw frames, or preprocess the intervals of the recording",
        )
    return face_crops(clip_id)


def frame_window(
    clip_id: int,
    source: str,
    start: int,
    count: int,
    crops: FaceCrops | None = None,
    magnify: MagnifyConfig = MagnifyConfig(),
) -> FrameWindow:
    """A window of the clip's frames for the browser: face crops (pass them in to reuse), raw frames, or
    the face crops magnified with ``magnify`` (its method, gain and band; the rest of it is ignored)."""
    if source not in SOURCES:
        raise GlimpseError(f"unknown frame source {source!r}", hint=f"one of {', '.join(SOURCES)}")
    if source == "crops":
        faces = crops if crops is not None else player_crops(clip_id)
        return crop_window(faces.crops, list(faces.frame_numbers), start, count)
    if source == "magnified":
        return magnified_window(
            clip_id,
            start,
            count,
            gain=magnify.gain,
            f_lo=magnify.f_lo,
            f_hi=magnify.f_hi,
            method=magnify.method,
        )
    return raw_window(clip_frames(clip_id), start, count)


def coding_tracks(viewer: Actor, clip_id: int) -> list[dict[str, Any]]:
    """Every coding of a clip ``viewer`` may see as a timeline track: the dataset's own (``source``)
    first; a recording's intervals (coded or spotted) as one track per annotator with one bar per
    interval. A coder in an open blind assignment gets their own track only."""
    with get_session() as session:
        fresh = require_clip(session, viewer, int(clip_id))
        by_annotator: dict[str, list[dict[str, Any]]] = {}
        for interval in queries.intervals_for(session, int(clip_id)):
            if not visible(session, fresh, int(clip_id), interval.annotator):
                continue
            by_annotator.setdefault(f"{interval.annotator} intervals", []).append(
                {
                    "onset": interval.onset,
                    "apex": interval.apex,
                    "offset": interval.offset,
                    "type": interval.type,
                }
            )
        interval_tracks: list[dict[str, Any]] = [
            {"name": n, "bars": bars} for n, bars in by_annotator.items()
        ]
        return interval_tracks + [
            {
                "name": a.annotator,
                "onset": a.onset,
                "apex": a.apex,
                "offset": a.offset,
                "label": a.label,
                "emotion": a.emotion,
                "updated": a.updated_at.isoformat(timespec="seconds") if a.updated_at else None,
            }
            for a in queries.annotations_for(session, int(clip_id))
            if visible(session, fresh, int(clip_id), a.annotator)
        ]
