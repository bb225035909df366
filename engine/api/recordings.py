"""Long videos (recordings) and the intervals coded inside them: what a spotting view lists and opens,
and the one way a page adds an interval (an accepted spot keeps its provenance)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from db import queries
from db.schema import SOURCE_ANNOTATOR, Interval
from engine.api.session import get_session
from engine.ingest import READERS


@dataclass(frozen=True)
class RecordingSummary:
    """One long video: where it is, how long, how many intervals its dataset codes in it (per type)."""

    id: int
    dataset: str
    subject: str
    name: str
    fps: float | None
    n_frames: int
    first_frame: int | None
    last_frame: int | None
    intervals: Mapping[str, int]  # type (micro | macro) → the dataset's own intervals


@dataclass(frozen=True)
class IntervalInfo:
    """One interval inside a recording (recording frame numbers)."""

    id: int
    clip_id: int
    annotator: str
    name: str
    onset: int
    apex: int | None
    offset: int
    type: str
    emotion: str | None
    label: str | None
    aus: str
    flags: tuple[str, ...]
    provenance: Mapping[str, Any] | None


def _info(interval: Interval) -> IntervalInfo:
    return IntervalInfo(
        id=interval.id,
        clip_id=interval.clip_id,
        annotator=interval.annotator,
        name=interval.name,
        onset=interval.onset,
        apex=interval.apex,
        offset=interval.offset,
        type=interval.type,
        emotion=interval.emotion,
        label=interval.label,
        aus=interval.aus,
        flags=tuple(interval.flags or ()),
        provenance=interval.provenance,
    )


def dataset_formats() -> list[str]:
    """Every dataset format a reader is registered for (what an ingest form offers)."""
    return READERS.names()


def recordings(dataset_names: Sequence[str] = ()) -> list[RecordingSummary]:
    """The long videos of the named datasets (all when empty), with their coded interval counts."""
    with get_session() as session:
        out = []
        for clip in queries.recordings(session, dataset_names):
            counts: dict[str, int] = {}
            for interval in queries.intervals_for(session, clip.id, SOURCE_ANNOTATOR):
                counts[interval.type] = counts.get(interval.type, 0) + 1
            out.append(
                RecordingSummary(
                    id=clip.id,
                    dataset=clip.dataset.name,
                    subject=clip.subject.code,
                    name=clip.name,
                    fps=clip.fps,
                    n_frames=clip.n_frames,
                    first_frame=clip.first_frame,
                    last_frame=clip.last_frame,
                    intervals=dict(sorted(counts.items())),
                )
            )
        return out


def recording_intervals(clip_id: int, annotator: str | None = None) -> list[IntervalInfo]:
    """The intervals of one recording (one annotator's, or everyone's), by onset."""
    with get_session() as session:
        return [_info(i) for i in queries.intervals_for(session, clip_id, annotator)]


def add_interval(
    clip_id: int,
    annotator: str,
    onset: int,
    offset: int,
    type: str,
    apex: int | None = None,
    emotion: str | None = None,
    label: str | None = None,
    aus: str = "",
    provenance: Mapping[str, Any] | None = None,
) -> IntervalInfo:
    """Save ``annotator``'s interval (committed); a GlimpseError says which mark is wrong."""
    with get_session() as session:
        interval = queries.add_interval(
            session,
            clip_id,
            annotator,
            onset,
            offset,
            type,
            apex=apex,
            emotion=emotion,
            label=label,
            aus=aus,
            provenance=dict(provenance) if provenance is not None else None,
        )
        return _info(interval)
