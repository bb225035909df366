"""The project's one user-facing error type (defined in ``db.errors`` so every part can raise it)."""

from db.errors import (
    AnnotationConflict,
    CatalogBusy,
    CatalogFault,
    CatalogUnreachable,
    GlimpseError,
    NoSpace,
    NotAllowed,
)

__all__ = [
    "AnnotationConflict",
    "CatalogBusy",
    "CatalogFault",
    "CatalogUnreachable",
    "GlimpseError",
    "NoSpace",
    "NotAllowed",
]
