"""Recordings (long videos, clips of kind ``recording``) and their intervals: reads, statistics, and
adding a user's interval."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.errors import GlimpseError
from db.queries.annotations import check_marks, checked_annotator
from db.queries.clips import CLIP_PRESENT
from db.schema import (
    INTERVAL_TYPES,
    RECORDING,
    SOURCE_ANNOTATOR,
    Clip,
    Dataset,
    Interval,
)


def recordings(session: Session, dataset_names: Sequence[str] = ()) -> list[Clip]:
    """The long videos (clips of kind ``recording``) of the named datasets (all when empty), by id; those
    missing from their source are left out (their files are gone)."""
    stmt = select(Clip).where(Clip.kind == RECORDING, CLIP_PRESENT).order_by(Clip.id)
    if dataset_names:
        stmt = stmt.join(Dataset, Dataset.id == Clip.dataset_id).where(Dataset.name.in_(list(dataset_names)))
    return list(session.scalars(stmt))


def intervals_for(session: Session, clip_id: int, annotator: str | None = None) -> list[Interval]:
    """The intervals of one recording (one annotator's, or everyone's), by onset then id."""
    stmt = select(Interval).where(Interval.clip_id == clip_id)
    if annotator is not None:
        stmt = stmt.where(Interval.annotator == annotator)
    return list(session.scalars(stmt.order_by(Interval.onset, Interval.id)))


def dataset_intervals(
    session: Session, dataset_name: str, annotator: str = SOURCE_ANNOTATOR
) -> list[tuple[Clip, Interval]]:
    """(recording, interval) pairs of a dataset for one annotator (default: the dataset's own coding),
    recordings missing from their source left out, like ``recordings``."""
    stmt = (
        select(Clip, Interval)
        .join(Interval, Interval.clip_id == Clip.id)
        .join(Dataset, Dataset.id == Clip.dataset_id)
        .where(
            Dataset.name == dataset_name,
            Clip.kind == RECORDING,
            CLIP_PRESENT,
            Interval.annotator == annotator,
        )
        .order_by(Clip.id, Interval.onset, Interval.id)
    )
    return [(clip, interval) for clip, interval in session.execute(stmt).tuples()]


def intervals_accepted_from(session: Session, spot_run_id: str) -> list[Interval]:
    """The intervals users accepted from one spotting run (their provenance names it), in id order."""
    stmt = select(Interval).where(Interval.annotator != SOURCE_ANNOTATOR, Interval.provenance.is_not(None))
    return [
        i
        for i in session.scalars(stmt.order_by(Interval.id))
        if (i.provenance or {}).get("run") == spot_run_id
    ]


def recording_stats(session: Session) -> dict[int, dict[str, Any]]:
    """Per dataset id: ``videos`` (recordings), ``intervals`` (the dataset's own coding) and per type."""
    out: dict[int, dict[str, Any]] = {}
    for dataset_id, count in session.execute(
        select(Clip.dataset_id, func.count(Clip.id)).where(Clip.kind == RECORDING).group_by(Clip.dataset_id)
    ):
        out[dataset_id] = {"videos": int(count), "intervals": 0, "intervals_by_type": {}}
    for dataset_id, kind, count in session.execute(
        select(Clip.dataset_id, Interval.type, func.count(Interval.id))
        .join(Clip, Clip.id == Interval.clip_id)
        .where(Interval.annotator == SOURCE_ANNOTATOR)
        .group_by(Clip.dataset_id, Interval.type)
    ):
        entry = out.setdefault(dataset_id, {"videos": 0, "intervals": 0, "intervals_by_type": {}})
        entry["intervals"] += int(count)
        entry["intervals_by_type"][kind] = int(count)
    return out


def add_interval(
    session: Session,
    clip_id: int,
    annotator: str,
    onset: int,
    offset: int,
    type: str,
    apex: int | None = None,
    emotion: str | None = None,
    label: str | None = None,
    aus: str = "",
    provenance: dict[str, Any] | None = None,
) -> Interval:
    """Add ``annotator``'s interval to a recording (an accepted spot carries its ``provenance``).

    Flushes, does not commit. The marks must satisfy onset ≤ apex ≤ offset inside the recording's
    frame numbers; ``source`` is reserved for the dataset's coding, which only ingest writes.
    """
    clip = session.get(Clip, clip_id)
    if clip is None or clip.kind != RECORDING:
        raise GlimpseError(f"clip {clip_id} is not a recording", hint="pick a long video")
    annotator = checked_annotator(annotator)
    if type not in INTERVAL_TYPES:
        raise GlimpseError(f"interval type {type!r} is unknown", hint=f"one of {', '.join(INTERVAL_TYPES)}")
    check_marks(clip, onset, apex, offset, "recording's", f"recording {clip_id} ({clip.name})")
    interval = Interval(
        clip_id=clip_id,
        annotator=annotator,
        onset=onset,
        apex=apex,
        offset=offset,
        type=type,
        emotion=emotion,
        label=label,
        aus=aus or "",
        provenance=provenance,
    )
    session.add(interval)
    session.flush()
    return interval
