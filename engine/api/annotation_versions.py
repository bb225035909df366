"""Versioned annotation saves for the pages: open a clip's annotation (its version), save over it.

A save names the version the page opened; if someone saved since, ``AnnotationConflict`` says who and
when ("changed by NAME at TIME — reload or overwrite") and the page offers both. The rule lives in
``engine.annotate.store``; the facade adds the label the dataset's MEGC 2019 mapping gives the emotion.
"""

from __future__ import annotations

from typing import Any

from db.faults import faults_as_errors
from engine.annotate.store import Marks, OpenedAnnotation, SavedAnnotation, save
from engine.annotate.store import opened as open_annotation
from engine.api.session import get_clip, get_session
from engine.errors import AnnotationConflict
from engine.ingest.labels import megc_label

__all__ = [
    "AnnotationConflict",
    "Marks",
    "OpenedAnnotation",
    "SavedAnnotation",
    "open_annotation",
    "save_marks",
]


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
    """Save over ``opened_version`` (AnnotationConflict when it moved on, unless ``overwrite``), labelled
    by the dataset's mapping of the marks' emotion."""
    with get_session() as session:
        dataset_format = get_clip(session, clip_id).dataset.format
    label = megc_label(dataset_format, marks.emotion) if marks.emotion else None
    with faults_as_errors():  # a busy catalog: one sentence the page shows, the user's marks kept
        return save(
            clip_id, annotator, marks, opened_version, overwrite=overwrite, label=label, saved_by=saved_by,
            provenance=provenance,
        )  # fmt: skip
