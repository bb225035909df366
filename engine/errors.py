"""The project's one user-facing error type (defined in ``db.errors`` so every part can raise it)."""

from db.errors import AnnotationConflict, GlimpseError, NotAllowed

__all__ = ["AnnotationConflict", "GlimpseError", "NotAllowed"]
