"""How faces are preprocessed; the parameters are part of every cache key, so one config = one crop set."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from engine.errors import GlimpseError
from engine.preprocess.backends import backend_names

# Bump when the algorithm changes in a way that changes the crops: old cache entries stop matching.
# 2: lost faces are reported (no-face frames are blank, never cut from a stale box); dlib refines per frame
PIPELINE_VERSION = 2


@dataclass(frozen=True)
class PreprocessConfig:
    """Aligned grayscale face crops: eyes level at ``eye_y``, ``eye_distance`` of the side apart.

    ``track``: find the face once (first frame / onset) and follow it by template matching, the common
    ME practice (no per-frame landmark jitter) and far faster than re-detecting every frame. The
    tracker's match score says when the face is lost; the detector also runs again every
    ``redetect_every`` frames, so a face that leaves, turns away or is covered is reported as a no-face
    frame, never cropped from a stale box.
    """

    size: int = 64
    backend: str = "auto"  # "auto" or a registered backend (engine.preprocess.backends.backend_names)
    eye_distance: float = 0.42
    eye_y: float = 0.38
    track: bool = True
    redetect_every: int = 25

    def __post_init__(self) -> None:
        names = backend_names()
        if self.backend not in names:
            raise GlimpseError(
                f"unknown face backend {self.backend!r}", hint=f"use one of {', '.join(names)}"
            )
        if int(self.redetect_every) < 1:
            raise GlimpseError("redetect_every must be at least 1 frame")
        if not 8 <= int(self.size) <= 1024:
            raise GlimpseError(f"crop size {self.size} is out of range", hint="use 8..1024 pixels")
        if not (0.05 < self.eye_distance < 0.95 and 0.0 < self.eye_y < 1.0):
            raise GlimpseError("eye_distance must be in (0.05, 0.95) and eye_y in (0, 1)")

    def key(self) -> str:
        """A stable short hash of every parameter (and the pipeline version)."""
        payload = json.dumps({**asdict(self), "v": PIPELINE_VERSION}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def params(self) -> dict[str, object]:
        """What the catalog's FaceCrop row and run records store."""
        return {**asdict(self), "pipeline_version": PIPELINE_VERSION}
