"""Versioned annotation saves for the pages: open a clip's annotation (its version), save over it.

A save names the version the page opened; if someone saved since, ``AnnotationConflict`` says who and
when ("changed by NAME at TIME — reload or overwrite") and the page offers both (see
``engine.annotate.store``, where the rule lives).
"""

from __future__ import annotations

from typing import Any

from db.session import default_url
from engine.annotate.store import Marks, OpenedAnnotation, SavedAnnotation, opened, save
from engine.errors import AnnotationConflict

__all__ = [
    "AnnotationConflict",
    "Marks",
    "OpenedAnnotation",
    "SavedAnnotation",
    "open_annotation",
    "save_marks",
]


def open_annotation(clip_id: int, annotator: str) -> OpenedAnnotation:
    """``annotator``'s annotation of a clip as it is now (version None: none yet)."""
    return opened(clip_id, annotator, url=default_url())


def save_marks(
    clip_id: int,
    annotator: str,
    marks: Marks,
    opened_version: int | None,
    *,
    overwrite: bool = False,
    saved_by: str | None = None,
    provenance: dict[str, Any] | None = None,
) -> SavedAnnotation:
    """Save over ``opened_version``; AnnotationConflict when it moved on (unless ``overwrite``)."""
    return save(
        clip_id,
        annotator,
        marks,
        opened_version,
        overwrite=overwrite,
        saved_by=saved_by,
        provenance=provenance,
        url=default_url(),
    )
