"""Saving annotations from the workbench: versioned upserts, so concurrent annotators never lose work.

Whoever opens a clip gets the version of their annotation (``opened``); the save names that version and
the catalog refuses it with ``AnnotationConflict`` ("changed by NAME at TIME — reload or overwrite") if
someone saved since — another tab, another annotator, an adjudicator writing a consensus. The page then
offers to reload theirs or overwrite it (``overwrite=True``). The check and the write are one statement
(``db.queries.write_versioned_annotation``), so this holds across processes on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from db.queries import current_annotation, save_annotation
from db.schema import Clip
from db.session import session_scope
from engine.errors import AnnotationConflict, GlimpseError

__all__ = ["AnnotationConflict", "Marks", "OpenedAnnotation", "SavedAnnotation", "opened", "save"]


@dataclass(frozen=True)
class Marks:
    """What an annotator codes on one clip (frame numbers as the dataset numbers them)."""

    onset: int | None
    apex: int | None
    offset: int | None
    action_units: str = ""
    emotion: str = ""
    notes: str = ""


@dataclass(frozen=True)
class OpenedAnnotation:
    """The annotation as the annotator opened it: ``version`` None = none of theirs yet."""

    clip_id: int
    annotator: str
    version: int | None
    updated_by: str | None
    updated_at: datetime | None


@dataclass(frozen=True)
class SavedAnnotation:
    id: int
    clip_id: int
    annotator: str
    version: int
    updated_by: str
    updated_at: datetime
    label: str | None


def opened(clip_id: int, annotator: str, url: str | None = None) -> OpenedAnnotation:
    """The version of ``annotator``'s annotation of a clip now (what a later ``save`` should name)."""
    name = (annotator or "").strip()
    with session_scope(url) as session:
        row = current_annotation(session, int(clip_id), name)
        if row is None:
            return OpenedAnnotation(int(clip_id), name, None, None, None)
        return OpenedAnnotation(int(clip_id), name, row.version, row.updated_by, row.updated_at)


def save(
    clip_id: int,
    annotator: str,
    marks: Marks,
    opened_version: int | None,
    *,
    overwrite: bool = False,
    label: str | None = None,
    saved_by: str | None = None,
    provenance: dict[str, Any] | None = None,
    url: str | None = None,
    check: Callable[[Session], object] | None = None,
) -> SavedAnnotation:
    """Save ``annotator``'s marks over the version they opened; raises AnnotationConflict if it moved on.

    ``label`` is the class the marks' emotion maps to (the facade derives it with the dataset's MEGC
    mapping); ``saved_by`` names who saved when it is not the annotator (an adjudicator's consensus);
    ``provenance`` says where a non-hand annotation came from. ``check`` runs first in the same
    transaction (the facade's permission check, so a role changed meanwhile cannot slip between check
    and write). One transaction: nothing is written when it raises.
    """
    with session_scope(url) as session:
        if check is not None:
            check(session)
        if session.get(Clip, int(clip_id)) is None:
            raise GlimpseError(f"clip {clip_id} does not exist", hint="reload the clip list")
        row = save_annotation(
            session,
            clip_id=int(clip_id),
            annotator=annotator,
            onset=marks.onset,
            apex=marks.apex,
            offset=marks.offset,
            action_units=marks.action_units,
            emotion=marks.emotion,
            label=label,
            notes=marks.notes,
            opened_version=opened_version,
            overwrite=overwrite,
            saved_by=saved_by,
            provenance=provenance,
        )
        return SavedAnnotation(
            id=row.id,
            clip_id=row.clip_id,
            annotator=row.annotator,
            version=row.version,
            updated_by=row.updated_by,
            updated_at=row.updated_at,
            label=row.label,
        )
