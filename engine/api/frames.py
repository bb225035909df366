"""Frame images, landmarks and face crops of one clip (the player, difference image, apex curve)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.schema import (
    Frame,
)
from engine.api.catalog import clip_detail
from engine.api.session import get_clip, get_session
from engine.errors import GlimpseError
from engine.paths import resolve_within


def _frame_path(session: Session, clip_id: int, frame_number: int) -> Path:
    clip = get_clip(session, clip_id)
    rel = session.scalar(
        select(Frame.path).where(Frame.clip_id == clip.id, Frame.number == int(frame_number))
    )
    if rel is None:
        raise GlimpseError(
            f"clip {clip_id} has no frame number {frame_number}", hint="pick a frame on the slider"
        )
    return resolve_within(clip.dataset.root, rel)


def _read_rgb(path: Path) -> np.ndarray:
    import cv2

    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise GlimpseError(
            "cannot read the frame image", where=str(path), hint="is the dataset folder still there?"
        )
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def frame_image(clip_id: int, frame_number: int) -> np.ndarray:
    """The original frame (RGB uint8), read under the dataset root only."""
    with get_session() as session:
        path = _frame_path(session, clip_id, frame_number)
    return _read_rgb(path)


def landmarks(clip_id: int, frame_number: int) -> dict[str, Any] | None:
    """Ground-truth box and 68 landmarks for a frame (``glimpse_landmarks.json`` beside the frames)."""
    with get_session() as session:
        path = _frame_path(session, clip_id, frame_number)
    file = path.parent / "glimpse_landmarks.json"
    if not file.exists():
        return None
    try:
        data = json.loads(file.read_text())
    except (OSError, ValueError) as error:
        raise GlimpseError(f"cannot parse landmarks: {error}", where=str(file)) from error
    entry = data.get("frames", {}).get(path.name)
    if entry is None:
        return None
    return {
        "format": data.get("format", "ibug68"),
        "box": entry.get("box"),
        "landmarks": entry.get("landmarks"),
    }


def face_crops(clip_id: int) -> dict[str, Any]:
    """The clip's aligned face crops (T, S, S) and the backend that made them.

    Read from the content-addressed cache when preprocessing already ran; otherwise made once for this
    one clip (ground-truth boxes or a single detection then tracking: a fraction of a second) and cached.
    """
    from engine.preprocess.cache import clip_crops

    with get_session() as session:
        get_clip(session, clip_id)
        crop_set = clip_crops(session, int(clip_id))
    return {
        "crops": crop_set.frames,
        "backend": crop_set.backend,
        "frame_numbers": list(crop_set.frame_numbers),
    }


def clip_faces(clip_id: int) -> dict[str, Any]:
    """Face images for the player, difference image and apex curve (alias kept for the pages)."""
    return face_crops(clip_id)


def difference_image(clip_id: int, gain: float = 8.0) -> dict[str, Any]:
    """Amplified |apex - onset| of the face: a subtle ME becomes visible (uint8 gray image)."""
    detail = clip_detail(clip_id)
    faces = clip_faces(clip_id)
    numbers: list[int] = faces["frame_numbers"]
    if len(numbers) < 2:
        raise GlimpseError(f"clip {clip_id} has fewer than two frames", hint="no difference to show")
    onset = detail["onset"] if detail["onset"] in numbers else numbers[0]
    apex = detail["apex"] if detail["apex"] in numbers else numbers[len(numbers) // 2]
    crops = faces["crops"].astype(np.float32)
    diff = np.abs(crops[numbers.index(apex)] - crops[numbers.index(onset)])
    image = np.clip(diff * gain, 0, 255).astype(np.uint8)
    return {"image": image, "onset": onset, "apex": apex, "gain": gain, "backend": faces["backend"]}
