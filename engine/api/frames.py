"""Frames of one clip: the original image, its stored landmarks, the face crops and the difference image.

Reading and computing live in the engine (``engine.preprocess`` for files and crops,
``engine.annotate.apex`` for the difference); this module only resolves paths inside the dataset root
and returns typed results.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from db import queries
from engine.annotate.apex import amplified_difference
from engine.api.catalog import release_detail
from engine.api.session import get_clip, get_session
from engine.errors import GlimpseError
from engine.paths import resolve_within
from engine.preprocess.cache import clip_crops, frame_ranges
from engine.preprocess.faces import GroundTruthMarks, ground_truth_marks
from engine.preprocess.frames import read_frame_rgb


@dataclass(frozen=True)
class FaceCrops:
    """A clip's aligned face crops (T, S, S), the frame number of each, and the backend that made them."""

    crops: np.ndarray
    frame_numbers: tuple[int, ...]
    backend: str
    no_face_frames: tuple[int, ...] = ()  # frames where tracking found no face (their crops are blank)

    @property
    def no_face_ranges(self) -> str:
        """The frames without a face as compact ranges ("3-5, 9"), as pages and the CLI say them."""
        return frame_ranges(list(self.no_face_frames))

    def crop_of(self, frame_number: int) -> np.ndarray | None:
        """The crop of one frame, None when that frame has no crop."""
        if frame_number not in self.frame_numbers:
            return None
        return self.crops[self.frame_numbers.index(frame_number)]


@dataclass(frozen=True)
class DifferenceImage:
    """Amplified |apex − onset| of the face crops (uint8, grayscale)."""

    image: np.ndarray
    onset: int
    apex: int
    gain: float
    backend: str


def _frame_path(session: Session, clip_id: int, frame_number: int) -> Path:
    clip = get_clip(session, clip_id)
    rel = queries.frame_path(session, clip.id, frame_number)
    if rel is None:
        raise GlimpseError(
            f"clip {clip_id} has no frame number {frame_number}", hint="pick a frame on the slider"
        )
    return resolve_within(clip.dataset.root, rel)


def frame_image(clip_id: int, frame_number: int) -> np.ndarray:
    """The original frame (RGB uint8), read under the dataset root only."""
    with get_session() as session:
        path = _frame_path(session, clip_id, frame_number)
    return read_frame_rgb(path, frame_number)


def landmarks(clip_id: int, frame_number: int) -> GroundTruthMarks | None:
    """The box and 68 landmarks stored beside a frame (``glimpse_landmarks.json``), None when absent."""
    with get_session() as session:
        path = _frame_path(session, clip_id, frame_number)
    return ground_truth_marks(path.parent, path.name)


def face_crops(clip_id: int) -> FaceCrops:
    """The clip's aligned face crops.

    Read from the content-addressed cache when preprocessing already ran; otherwise made once for this
    one clip (ground-truth boxes or a single detection then tracking: a fraction of a second) and cached.
    """
    with get_session() as session:
        get_clip(session, clip_id)
        crop_set = clip_crops(session, int(clip_id))
    return FaceCrops(
        crops=crop_set.frames,
        frame_numbers=tuple(int(n) for n in crop_set.frame_numbers),
        backend=crop_set.backend,
        no_face_frames=tuple(int(n) for n in crop_set.no_face_frames),
    )


def difference_image(clip_id: int, gain: float = 8.0) -> DifferenceImage:
    """Amplified |apex − onset| of the face: a subtle ME becomes visible."""
    with get_session() as session:
        detail = release_detail(session, int(clip_id))
    faces = face_crops(clip_id)
    numbers = faces.frame_numbers
    if len(numbers) < 2:
        raise GlimpseError(f"clip {clip_id} has fewer than two frames", hint="no difference to show")
    onset = detail.onset if detail.onset in numbers else numbers[0]
    apex = detail.apex if detail.apex in numbers else numbers[len(numbers) // 2]
    image = amplified_difference(faces.crops[numbers.index(onset)], faces.crops[numbers.index(apex)], gain)
    return DifferenceImage(image=image, onset=int(onset), apex=int(apex), gain=gain, backend=faces.backend)
