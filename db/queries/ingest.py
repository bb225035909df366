"""The bulk reads and writes of an ingest (``engine.ingest.catalog``): what a dataset's rows are now, and
the batched INSERT / UPDATE / DELETE statements that bring them to what the source holds.

Why batched statements rather than ORM objects: a release has up to ~100k frames, and executemany in
batches of ``INSERT_BATCH`` rows writes them in seconds where ORM objects take minutes. Reads and deletes
by id go in chunks of ``IN_CHUNK`` ids, under SQLite's limit on bound parameters per statement.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from db.schema import SOURCE_ANNOTATOR, Annotation, Base, Clip, Frame, Interval, Subject

IN_CHUNK = 900  # ids per IN (…) clause: SQLite allows 999 bound parameters in one statement
INSERT_BATCH = 20_000  # rows per executemany

_T = TypeVar("_T")


def _chunks(items: Sequence[_T], size: int) -> list[Sequence[_T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _insert_rows(
    session: Session,
    model: type[Base],
    rows: Sequence[dict[str, Any]],
    on_batch: Callable[[float], None] | None = None,
) -> None:
    """INSERT ``rows`` (dicts of column values) in batches; ``on_batch`` gets the fraction written."""
    for k, chunk in enumerate(_chunks(rows, INSERT_BATCH)):
        session.execute(insert(model), chunk)
        if on_batch is not None:
            on_batch(min(1.0, (k + 1) * INSERT_BATCH / max(len(rows), 1)))


# ---------------------------------------------------------------- subjects and clips


def subject_ids(session: Session, dataset_id: int) -> dict[str, int]:
    """subject code → id, of one dataset."""
    rows = session.execute(select(Subject.code, Subject.id).where(Subject.dataset_id == dataset_id))
    return {str(code): int(subject_id) for code, subject_id in rows}


def insert_subjects(session: Session, dataset_id: int, codes: Sequence[str]) -> None:
    _insert_rows(session, Subject, [{"dataset_id": dataset_id, "code": code} for code in codes])


def clips_by_key(session: Session, dataset_id: int) -> dict[tuple[int, str], tuple[int, datetime | None]]:
    """(subject id, clip name) → (clip id, missing since) of every clip of a dataset, missing ones too."""
    rows = session.execute(
        select(Clip.id, Clip.subject_id, Clip.name, Clip.missing_since).where(Clip.dataset_id == dataset_id)
    )
    return {(int(sid), str(name)): (int(cid), missing) for cid, sid, name, missing in rows}


def insert_clips(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    _insert_rows(session, Clip, rows)


def update_clips(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """UPDATE clips by primary key: each row holds ``id`` and the columns to set (one executemany)."""
    if rows:
        session.execute(update(Clip), list(rows))


def clips_not_missing(session: Session, clip_ids: Sequence[int]) -> list[tuple[int, str, str]]:
    """(id, path, name) of those of ``clip_ids`` not marked missing yet, by id."""
    found: list[tuple[int, str, str]] = []
    for chunk in _chunks(sorted(clip_ids), IN_CHUNK):
        rows = session.execute(
            select(Clip.id, Clip.path, Clip.name)
            .where(Clip.id.in_(chunk), Clip.missing_since.is_(None))
            .order_by(Clip.id)
        )
        found += [(int(cid), str(path), str(name)) for cid, path, name in rows]
    return found


def mark_clips_missing(session: Session, clip_ids: Sequence[int], since: datetime) -> None:
    for chunk in _chunks(list(clip_ids), IN_CHUNK):
        session.execute(update(Clip).where(Clip.id.in_(chunk)).values(missing_since=since))


# ---------------------------------------------------------------- frames


def frame_lists(session: Session, clip_ids: Sequence[int]) -> dict[int, list[tuple[int, int, str]]]:
    """clip id → its frames as (index, number, path) in index order (clips without frames left out)."""
    have: dict[int, list[tuple[int, int, str]]] = {}
    for chunk in _chunks(list(clip_ids), IN_CHUNK):
        for clip_id, index, number, path in session.execute(
            select(Frame.clip_id, Frame.index, Frame.number, Frame.path)
            .where(Frame.clip_id.in_(chunk))
            .order_by(Frame.clip_id, Frame.index)
        ):
            have.setdefault(clip_id, []).append((index, number, path))
    return have


def delete_frames(session: Session, clip_ids: Sequence[int]) -> None:
    for chunk in _chunks(list(clip_ids), IN_CHUNK):
        session.execute(delete(Frame).where(Frame.clip_id.in_(chunk)))


def insert_frames(
    session: Session, rows: Sequence[dict[str, Any]], on_batch: Callable[[float], None] | None = None
) -> None:
    """INSERT frame rows in batches; ``on_batch`` gets the fraction written after each (a progress bar)."""
    _insert_rows(session, Frame, rows, on_batch)


# ---------------------------------------------------------------- annotations and intervals


def annotation_values(
    session: Session, clip_ids: Sequence[int], fields: Sequence[str]
) -> list[tuple[int, int, str, dict[str, Any]]]:
    """(id, clip id, annotator, {field: value}) of every annotation of the clips."""
    out: list[tuple[int, int, str, dict[str, Any]]] = []
    columns = [getattr(Annotation, f) for f in fields]
    for chunk in _chunks(list(clip_ids), IN_CHUNK):
        for row in session.execute(
            select(Annotation.id, Annotation.clip_id, Annotation.annotator, *columns).where(
                Annotation.clip_id.in_(chunk)
            )
        ):
            out.append((row[0], row[1], row[2], dict(zip(fields, row[3:], strict=True))))
    return out


def insert_annotations(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    _insert_rows(session, Annotation, rows)


def update_annotations(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """UPDATE annotations by primary key: each row holds ``id`` and the columns to set."""
    if rows:
        session.execute(update(Annotation), list(rows))


def source_interval_values(
    session: Session, clip_ids: Sequence[int], fields: Sequence[str]
) -> dict[int, list[tuple[Any, ...]]]:
    """recording id → the values of ``fields`` of each of its ``source`` intervals, in id order."""
    have: dict[int, list[tuple[Any, ...]]] = {}
    columns = [getattr(Interval, f) for f in fields]
    for chunk in _chunks(list(clip_ids), IN_CHUNK):
        for row in session.execute(
            select(Interval.clip_id, *columns)
            .where(Interval.clip_id.in_(chunk), Interval.annotator == SOURCE_ANNOTATOR)
            .order_by(Interval.clip_id, Interval.id)
        ):
            have.setdefault(row[0], []).append(tuple(row[1:]))
    return have


def delete_source_intervals(session: Session, clip_ids: Sequence[int]) -> None:
    """Delete the ``source`` intervals of these recordings (other annotators' stay)."""
    for chunk in _chunks(list(clip_ids), IN_CHUNK):
        session.execute(
            delete(Interval).where(Interval.clip_id.in_(chunk), Interval.annotator == SOURCE_ANNOTATOR)
        )


def insert_intervals(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    _insert_rows(session, Interval, rows)
