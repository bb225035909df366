"""The preprocess registries (face backends, optical-flow methods) and the one result type every face
backend returns.

A backend registers itself with ``@register_face_backend(name, priority=...)`` on its detector class; a
flow method with ``@register_flow_method(name)`` (in ``engine.preprocess.flow``). The face-backend
modules are imported explicitly by ``engine.preprocess.backends``, which answers "which
backends exist, which are usable here, which one does ``auto`` mean". This module imports only numpy so
every backend module can import it without cycles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from engine.errors import GlimpseError
from engine.registry import Registry

IBUG_LEFT_EYE = slice(36, 42)  # image-left eye (subject's right)
IBUG_RIGHT_EYE = slice(42, 48)


class NoFaceError(GlimpseError):
    """The frame was read and searched, and holds no face (tracking reports the frame; it is not a crash)."""


@dataclass(frozen=True)
class Detection:
    """A face: box and the two eye centres (all alignment needs), plus 68 iBUG points when known.

    ``left_eye`` is the eye on the image's left (the subject's right eye; iBUG points 36-41).
    """

    box: tuple[float, float, float, float]  # x, y, w, h in image pixels
    left_eye: tuple[float, float]  # image-left eye centre (x, y)
    right_eye: tuple[float, float]  # image-right eye centre (x, y)
    landmarks: np.ndarray | None  # (68, 2) iBUG points when the backend gives them
    backend: str

    @staticmethod
    def from_landmarks(
        landmarks: np.ndarray, backend: str, box: tuple[float, ...] | None = None
    ) -> Detection:
        """Raises ValueError on anything but 68 finite points with distinct eyes (callers name the file)."""
        pts = np.asarray(landmarks, dtype=np.float64).reshape(-1, 2)
        if pts.shape[0] != 68 or not np.isfinite(pts).all():
            raise ValueError(f"expected 68 finite iBUG landmarks, got {pts.shape[0]} points")
        left, right = pts[IBUG_LEFT_EYE].mean(axis=0), pts[IBUG_RIGHT_EYE].mean(axis=0)
        if np.hypot(*(right - left)) < 1.0:
            raise ValueError("the two eye centres coincide")
        if box is None:
            (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
            box = (x0, y0, x1 - x0, y1 - y0)
        return Detection(
            box=tuple(float(v) for v in box),  # type: ignore[arg-type]
            left_eye=(float(left[0]), float(left[1])),
            right_eye=(float(right[0]), float(right[1])),
            landmarks=pts,
            backend=backend,
        )


class Detector(Protocol):
    """Finds the face in one grayscale frame; raises GlimpseError naming ``where`` when there is none."""

    backend: str

    def detect(self, image: np.ndarray, where: str = "image") -> Detection: ...


@dataclass(frozen=True)
class FaceBackend:
    """One registered backend. ``status()`` is "available" or the reason it is not usable here."""

    name: str
    priority: int  # ``auto`` picks the available backend with the highest priority
    status: Callable[[], str]
    factory: Callable[[], Detector] | None  # None: the backend reads per-frame files (ground truth)
    needs_files: bool = False  # usable only for frame folders carrying its own files (ground truth)


FACE_BACKENDS: Registry[FaceBackend] = Registry("face backend")


def register_face_backend(
    name: str, *, priority: int, needs_files: bool = False, factory: bool = True
) -> Callable[[type], type]:
    """Class decorator: the class has a ``status()`` staticmethod and (when ``factory``) builds a Detector."""

    def decorate(cls: type) -> type:
        FACE_BACKENDS.add(
            name,
            FaceBackend(
                name=name,
                priority=priority,
                status=cls.status,  # type: ignore[attr-defined]
                factory=cls if factory else None,
                needs_files=needs_files,
            ),
        )
        return cls

    return decorate


def get_face_backend(name: str) -> FaceBackend:
    """The backend ``name``, or a GlimpseError naming the known ones (``auto`` is resolved by
    ``engine.preprocess.backends.resolve_backend``, not here)."""
    return FACE_BACKENDS.get_or_fail(name)


FlowFn = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (H, W) uint8 ×2 → (H, W, 2) float32 (u, v)
# the names the CLI, configs and the UI accept
FLOW_METHODS: Registry[FlowFn] = Registry("flow method")


def register_flow_method(name: str) -> Callable[[FlowFn], FlowFn]:
    """``@register_flow_method("tvl1")`` on a function of two grayscale frames."""
    return FLOW_METHODS.register(name)


def get_flow_method(name: str) -> FlowFn:
    """The flow method ``name``, or a GlimpseError naming the known ones."""
    return FLOW_METHODS.get_or_fail(name)
