"""The browser player's data: a clip's frames in windows (face crops or raw frames, with landmarks), the
codings drawn as timeline tracks, and the motion / feature curves. This module only reads the catalog:
``engine.preprocess.frames`` reads and decodes the files (inside the dataset root),
``engine.annotate.player`` packs frames and curves for the browser."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from db import queries
from engine.annotate.player import (
    CROPS_MAX_FRAMES,
    SOURCES,
    FrameWindow,
    WindowConfig,
    crop_window,
    feature_curve,
    frames_window,
    motion_curve,
    window_length,
)
from engine.api.access import Actor, require_clip, visible
from engine.api.frames import FaceCrops, face_crops
from engine.api.magnify import MagnifyConfig, magnified_window
from engine.api.session import get_clip, get_session
from engine.errors import GlimpseError
from engine.paths import resolve_within
from engine.preprocess.frames import ClipFrames, is_video, read_window

__all__ = [
    "CROPS_MAX_FRAMES",
    "SOURCES",
    "CodingTrack",
    "FrameWindow",
    "IntervalBar",
    "IntervalTrack",
    "Track",
    "WindowConfig",
    "coding_tracks",
    "feature_curve",
    "frame_window",
    "motion_curve",
    "player_crops",
    "window_length",
]


@dataclass(frozen=True)
class IntervalBar:
    """One coded or spotted interval of a recording, drawn as a bar with an apex tick."""

    onset: int
    apex: int | None
    offset: int
    type: str  # micro / macro


@dataclass(frozen=True)
class IntervalTrack:
    """One annotator's intervals of a recording: one timeline lane, named "<annotator> intervals"."""

    name: str
    bars: tuple[IntervalBar, ...]


@dataclass(frozen=True)
class CodingTrack:
    """One annotator's coding of a clip (onset, apex, offset): one timeline lane named after them."""

    name: str
    onset: int | None
    apex: int | None
    offset: int | None
    label: str | None = None
    emotion: str | None = None
    updated: str | None = None  # ISO time of the last save, to the second


Track = IntervalTrack | CodingTrack


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


def raw_window(
    frames: ClipFrames, start: int, count: int, config: WindowConfig = WindowConfig()
) -> FrameWindow:
    """Raw frames ``start .. start+count-1`` as JPEG data URLs, with landmarks when the dataset has them
    (``engine.preprocess.frames`` reads them, ``engine.annotate.player`` packs them).

    A missing or corrupt frame is ``None`` in ``images`` and named in ``missing``; the rest still show.
    """
    read = read_window(frames, start, count)
    return frames_window(read.start, read.numbers, read.images, read.landmarks, config)


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


def coding_tracks(viewer: Actor, clip_id: int) -> list[Track]:
    """Every coding of a clip ``viewer`` may see as a timeline track: the dataset's own (``source``)
    first; a recording's intervals (coded or spotted) as one track per annotator with one bar per
    interval. A coder in an open blind assignment gets their own track only."""
    with get_session() as session:
        fresh = require_clip(session, viewer, int(clip_id))
        by_annotator: dict[str, list[IntervalBar]] = {}
        for interval in queries.intervals_for(session, int(clip_id)):
            if not visible(session, fresh, int(clip_id), interval.annotator):
                continue
            by_annotator.setdefault(f"{interval.annotator} intervals", []).append(
                IntervalBar(interval.onset, interval.apex, interval.offset, interval.type)
            )
        interval_tracks: list[Track] = [IntervalTrack(n, tuple(bars)) for n, bars in by_annotator.items()]
        return interval_tracks + [
            CodingTrack(
                name=a.annotator,
                onset=a.onset,
                apex=a.apex,
                offset=a.offset,
                label=a.label,
                emotion=a.emotion,
                updated=a.updated_at.isoformat(timespec="seconds") if a.updated_at else None,
            )
            for a in queries.annotations_for(session, int(clip_id))
            if visible(session, fresh, int(clip_id), a.annotator)
        ]
