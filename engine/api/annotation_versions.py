"""Versioned annotation saves for the pages: open a clip's annotation (its version), save over it.

A save names the version the page opened; if someone saved since, ``AnnotationConflict`` says who and
when ("changed by NAME at TIME — reload or overwrite") and the page offers both. The rule lives in
``engine.annotate.store``; these are its facade names (both default to the configured catalog).
"""

from __future__ import annotations

from engine.annotate.store import Marks, OpenedAnnotation, SavedAnnotation
from engine.annotate.store import opened as open_annotation
from engine.annotate.store import save as save_marks
from engine.errors import AnnotationConflict

__all__ = [
    "AnnotationConflict",
    "Marks",
    "OpenedAnnotation",
    "SavedAnnotation",
    "open_annotation",
    "save_marks",
]
