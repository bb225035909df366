"""The ground-truth landmarks file written beside every synthetic frame folder (glimpse_landmarks.json):
per frame file, the face box and the 68 iBUG points, so preprocessing can skip detection."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from engine.synth.render import face_box

LANDMARKS_FILE = "glimpse_landmarks.json"


def landmark_entry(lm: np.ndarray, size: int) -> dict[str, Any]:
    return {"box": face_box(lm, size), "landmarks": np.round(lm, 2).tolist()}


def write_landmarks(folder: Path, frames: dict[str, Any]) -> None:
    (folder / LANDMARKS_FILE).write_text(json.dumps({"format": "ibug68", "frames": frames}))
