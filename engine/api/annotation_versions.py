"""Versioned annotation saves for the pages: open a clip's annotation (its version), save over it.

A save names the version the page opened; if someone saved since, ``AnnotationConflict`` says who and
when ("changed by NAME at TIME — reload or overwrite") and the page offers both. The rule lives in
``engine.annotate.store``; the facade adds who may save (``engine.api.access``: the coding is always the
actor's own — there is no annotator argument, so nobody saves as someone else) and the label the
dataset's MEGC 2019 mapping gives the emotion.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from db.faults import faults_as_errors
from engine.annotate.store import Marks, OpenedAnnotation, SavedAnnotation, opened, save
from engine.api.access import Actor, require_clip
from engine.api.session import get_clip, get_session
from engine.errors import AnnotationConflict, NotAllowed
from engine.ingest.labels import megc_label

__all__ = [
    "AnnotationConflict",
    "Marks",
    "OpenedAnnotation",
    "SavedAnnotation",
    "open_annotation",
    "save_marks",
]


def open_annotation(actor: Actor, clip_id: int) -> OpenedAnnotation:
    """The version of the actor's own annotation of a clip now (what their next save names)."""
    with get_session() as session:
        fresh = require_clip(session, actor, clip_id)
    return opened(clip_id, fresh.name)


def save_marks(
    actor: Actor, clip_id: int, marks: Marks, opened_version: int | None, *, overwrite: bool = False
) -> SavedAnnotation:
    """Save the actor's own marks over ``opened_version`` (AnnotationConflict when it moved on, unless
    ``overwrite``), labelled by the dataset's mapping of the emotion. A coder may save only on clips
    assigned to them; a viewer not at all (NotAllowed, nothing written)."""
    return save_as(actor, "code", clip_id, actor.name, marks, opened_version, overwrite=overwrite)


def save_as(
    actor: Actor,
    action: str,
    clip_id: int,
    annotator: str,
    marks: Marks,
    opened_version: int | None,
    *,
    overwrite: bool = False,
    label: str | None = None,
    provenance: dict[str, Any] | None = None,
) -> SavedAnnotation:
    """The one write path of annotations in the facade: ``require_clip(actor, action)`` in the save's own
    transaction, then the versioned write under ``annotator``, saved by the actor. Only ``code`` saves
    one's own coding; other actions (adjudicate, restore) write another row and record the actor as
    ``updated_by``. ``label`` None: from the emotion by the dataset's MEGC mapping."""

    def check(session: Session) -> None:
        fresh = require_clip(session, actor, clip_id, action)
        if action == "code" and annotator != fresh.name:
            raise NotAllowed(f"{fresh.name} may not save as {annotator}", hint="you code under your own name")

    with get_session() as session:
        dataset_format = get_clip(session, clip_id).dataset.format
    if label is None and marks.emotion:
        label = megc_label(dataset_format, marks.emotion)
    with faults_as_errors():  # a busy catalog: one sentence the page shows, the user's marks kept
        return save(
            clip_id, annotator, marks, opened_version, overwrite=overwrite, label=label, saved_by=actor.name,
            provenance=provenance, check=check,
        )  # fmt: skip
