"""Annotations of short clips: the versioned save (optimistic concurrency), the majority share it
refreshes, reads by clip / dataset / annotator, and every version kept."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.errors import AnnotationConflict, GlimpseError
from db.people import checked_name
from db.schema import (
    CODING_FIELDS,
    SOURCE_ANNOTATOR,
    Annotation,
    AnnotationVersion,
    Clip,
    Dataset,
    utcnow,
)


def majority_share(labels: Sequence[str | None]) -> float | None:
    """Fraction of annotators agreeing with the majority label; None with fewer than two annotators.

    Stored as ``Clip.agreement`` and filtered on by the Clips page. Not a chance-corrected agreement:
    Cohen's and Fleiss' kappa between annotators are ``engine.annotate.agreement``'s job.
    """
    if len(labels) < 2:
        return None
    counts = Counter(str(label) for label in labels)
    return round(max(counts.values()) / len(labels), 4)


def refresh_majority_share(session: Session, clip: Clip) -> None:
    """Recompute ``n_annotators`` and the majority share (``agreement``) of one clip from its annotations."""
    labels = list(session.scalars(select(Annotation.label).where(Annotation.clip_id == clip.id)))
    clip.n_annotators = len(labels)
    clip.agreement = majority_share(labels)


def checked_annotator(annotator: str | None) -> str:
    """The trimmed annotator name a user save may use: a valid name (``db.people.checked_name``: length,
    characters), not the dataset's own ``source``."""
    annotator = checked_name(annotator, "annotator name")
    if annotator == SOURCE_ANNOTATOR:
        raise GlimpseError("'source' is the dataset's own coding", hint="annotate under your own name")
    return annotator


def check_marks(
    clip: Clip, onset: int | None, apex: int | None, offset: int | None, owner: str, where: str
) -> None:
    """Marks given must lie in the clip's frame numbers and satisfy onset ≤ apex ≤ offset; the error names
    the mark (``owner`` words it: "clip's" / "recording's")."""
    marks = [(n, v) for n, v in (("onset", onset), ("apex", apex), ("offset", offset)) if v is not None]
    lo, hi = clip.first_frame, clip.last_frame
    for name, value in marks:
        if lo is not None and hi is not None and not lo <= value <= hi:
            raise GlimpseError(f"{name} {value} is outside the {owner} frames {lo}–{hi}", where=where)
    for (n1, v1), (n2, v2) in zip(marks, marks[1:], strict=False):
        if v1 > v2:
            raise GlimpseError(f"{n1} {v1} is after {n2} {v2}", where=where, hint="onset ≤ apex ≤ offset")


def save_annotation(
    session: Session,
    clip_id: int,
    annotator: str,
    onset: int | None,
    apex: int | None,
    offset: int | None,
    action_units: str = "",
    emotion: str = "",
    label: str | None = None,
    notes: str = "",
    *,
    opened_version: int | None = None,
    overwrite: bool = False,
    saved_by: str | None = None,
    provenance: dict[str, Any] | None = None,
) -> Annotation:
    """Upsert ``annotator``'s annotation of a clip (one row per annotator); refresh its majority share.

    Flushes, does not commit: the caller's transaction decides. Marks must satisfy onset ≤ apex ≤ offset
    inside the clip's frame numbers, else a GlimpseError says which mark is wrong. ``opened_version`` is
    the version the caller opened (None: there was no annotation of theirs); a row saved since raises
    AnnotationConflict unless ``overwrite`` (see the versioned-writes block below).
    """
    clip = session.get(Clip, clip_id)
    if clip is None:
        raise GlimpseError(f"clip {clip_id} does not exist", hint="reload the clip list")
    annotator = checked_annotator(annotator)
    check_marks(clip, onset, apex, offset, "clip's", f"clip {clip_id} ({clip.name})")
    values = {
        "onset": onset,
        "apex": apex,
        "offset": offset,
        "action_units": action_units or "",
        "emotion": emotion or "",
        "label": label,
        "notes": notes or "",
        "updated_by": checked_name(saved_by, "saver's name") if saved_by else annotator,
        "provenance": provenance,
    }
    ann = write_versioned_annotation(session, clip, annotator, values, opened_version, overwrite)
    refresh_majority_share(session, clip)
    session.flush()
    return ann


def annotations_for(session: Session, clip_id: int) -> list[Annotation]:
    """Every annotation of a clip, the dataset's own (``source``) first, then by annotator."""
    rows = session.scalars(
        select(Annotation).where(Annotation.clip_id == clip_id).order_by(Annotation.annotator)
    )
    return sorted(rows, key=lambda a: (a.annotator != SOURCE_ANNOTATOR, a.annotator))


def annotator_names(session: Session) -> list[str]:
    return sorted(set(session.scalars(select(Annotation.annotator).distinct())))


def annotations_of(session: Session, dataset: str | None = None) -> list[Annotation]:
    """Every annotation (optionally of one dataset's clips), in id order."""
    query = select(Annotation).order_by(Annotation.id)
    if dataset:
        query = query.join(Clip).join(Dataset).where(Dataset.name == dataset)
    return list(session.scalars(query))


def annotations_with_rates(
    session: Session, dataset: str | None = None
) -> list[tuple[Annotation, float | None]]:
    """Every annotation (optionally of one dataset's clips) with its clip's frame rate, in id order."""
    query = select(Annotation, Clip.fps).join(Clip, Clip.id == Annotation.clip_id).order_by(Annotation.id)
    if dataset:
        query = query.join(Dataset, Dataset.id == Clip.dataset_id).where(Dataset.name == dataset)
    return [(annotation, fps) for annotation, fps in session.execute(query).all()]


def annotations_on(session: Session, clip_ids: Sequence[int]) -> list[Annotation]:
    """Every annotation of the given clips, in id order."""
    ids = list(clip_ids)
    return list(
        session.scalars(select(Annotation).where(Annotation.clip_id.in_(ids)).order_by(Annotation.id))
    )


# --- versioned annotation writes (optimistic concurrency) -------------------------------------------------
# A save names the version its user opened. The check and the write are one statement (an UPDATE … WHERE
# version = opened, or an INSERT … ON CONFLICT DO NOTHING for a first save), so two processes saving at
# once cannot both pass the check: the database serialises them and the loser sees 0 rows written and
# gets AnnotationConflict naming who saved and when. No IntegrityError escapes and no write is lost.

_INSERT_IGNORING_DUPLICATES: dict[str, Callable[..., Any]] = {
    "sqlite": sqlite.insert,
    "postgresql": postgresql.insert,
}


def _insert_ignoring_duplicates(session: Session, values: dict[str, Any]) -> bool:
    """INSERT the annotation unless (clip, annotator) exists already; True when this call inserted it."""
    dialect = session.get_bind().dialect.name
    if dialect not in _INSERT_IGNORING_DUPLICATES:
        raise GlimpseError(
            f"annotation saves do not support the {dialect} database", hint="use SQLite or PostgreSQL"
        )
    stmt = (
        _INSERT_IGNORING_DUPLICATES[dialect](Annotation)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["clip_id", "annotator"])
        .returning(Annotation.id)
    )
    return session.execute(stmt).scalar_one_or_none() is not None


def current_annotation(session: Session, clip_id: int, annotator: str) -> Annotation | None:
    """The committed-or-own row as the database has it now (bypassing stale objects in the session)."""
    stmt = (
        select(Annotation)
        .where(Annotation.clip_id == clip_id, Annotation.annotator == annotator)
        .execution_options(populate_existing=True)
    )
    return session.scalar(stmt)


def write_versioned_annotation(
    session: Session,
    clip: Clip,
    annotator: str,
    values: dict[str, Any],
    opened_version: int | None,
    overwrite: bool,
) -> Annotation:
    """Write one annotation row unless someone saved it since ``opened_version``; bump its version."""
    now = utcnow()
    written = False
    if opened_version is None or overwrite:
        first = {
            "clip_id": clip.id,
            "annotator": annotator,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        written = _insert_ignoring_duplicates(session, {**values, **first})
    if not written and (opened_version is not None or overwrite):
        where = [Annotation.clip_id == clip.id, Annotation.annotator == annotator]
        if not overwrite:
            where.append(Annotation.version == opened_version)
        stmt = (
            update(Annotation)
            .where(*where)
            .values(**values, version=Annotation.version + 1, updated_at=now)
            .returning(Annotation.id)
            .execution_options(synchronize_session=False)
        )
        written = session.execute(stmt).scalar_one_or_none() is not None
    row = current_annotation(session, clip.id, annotator)
    if not written or row is None:
        raise AnnotationConflict(
            who=row.updated_by or row.annotator if row is not None else None,
            when=row.updated_at if row is not None else None,
            version=row.version if row is not None else None,
            where=f"{annotator}'s annotation of clip {clip.id} ({clip.name})",
        )
    # the clip row is the lock point for its denormalised agreement (PostgreSQL; SQLite locks the file)
    session.execute(select(Clip.id).where(Clip.id == clip.id).with_for_update())
    _keep_version(session, row)
    return row


def _keep_version(session: Session, row: Annotation) -> None:
    """Append the row as it now is to its history (same transaction: a refused save leaves none)."""
    session.add(
        AnnotationVersion(
            annotation_id=row.id,
            clip_id=row.clip_id,
            annotator=row.annotator,
            version=row.version,
            saved_by=row.updated_by,
            saved_at=row.updated_at,
            **{f: getattr(row, f) for f in (*CODING_FIELDS, "provenance")},
        )
    )
    session.flush()


def annotation_history(session: Session, clip_id: int) -> list[AnnotationVersion]:
    """Every version of every annotation of a clip, by annotator then version."""
    stmt = (
        select(AnnotationVersion)
        .where(AnnotationVersion.clip_id == int(clip_id))
        .order_by(AnnotationVersion.annotator, AnnotationVersion.version)
    )
    return list(session.scalars(stmt))


def annotation_version(session: Session, clip_id: int, annotator: str, version: int) -> AnnotationVersion:
    stmt = select(AnnotationVersion).where(
        AnnotationVersion.clip_id == int(clip_id),
        AnnotationVersion.annotator == annotator,
        AnnotationVersion.version == int(version),
    )
    found = session.scalar(stmt)
    if found is None:
        raise GlimpseError(f"{annotator}'s annotation of clip {clip_id} has no version {version}")
    return found
