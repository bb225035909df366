"""How faces are preprocessed; the parameters are part of every cache key, so one config = one crop set."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

BACKENDS = ("auto", "ground_truth", "opencv", "face_alignment")

# Bump when the algorithm changes in a way that changes the crops: old cache entries stop matching.
PIPELINE_VERSION = 1


@dataclass(frozen=True)
class PreprocessConfig:
    """Aligned grayscale face crops: eyes level at ``eye_y``, ``eye_distance`` of the side apart.

    ``track``: find the face once (first frame / onset) and follow it with phase correlation, the common
    ME practice (no per-frame landmark jitter) and far faster than re-detecting every frame.
    """

    size: int = 64
    backend: str = "auto"  # auto | ground_truth | opencv | face_alignment
    eye_distance: float = 0.42
    eye_y: float = 0.38
    track: bool = True

    def __post_init__(self) -> None:
        from engine.errors import GlimpseError

        if self.backend not in BACKENDS:
            raise GlimpseError(
                f"unknown face backend {self.backend!r}", hint=f"use one of {', '.join(BACKENDS)}"
            )
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
