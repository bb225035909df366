"""dlib's HOG face detector and 68-point shape predictor: real faces with landmarks, fully offline.

The detector ships inside the ``dlib-bin`` wheel; the predictor (``shape_predictor_68_face_landmarks.dat``)
inside the ``face-recognition-models`` sdist. That package's own ``__init__`` needs pkg_resources, so its
files are found with ``importlib.util.find_spec`` (which locates a package without running it).

HOG detection is the expensive step (~15 ms at 640×480), so tracking runs it once per clip and when
re-detection is due; the shape predictor (~1 ms) refines the 68 points inside the tracked box on every
frame (``refine``).
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import cv2
import dlib
import numpy as np

from engine.errors import GlimpseError
from engine.preprocess.faces import gray_of, search_with_margin
from engine.preprocess.registry import Detection, NoFaceError, register_face_backend

MODELS_PACKAGE = "face_recognition_models"
PREDICTOR_FILE = "shape_predictor_68_face_landmarks.dat"
NEAR_FACE_PX = 100.0  # re-detection near the tracked box scales the face to this width (HOG needs ≥ ~80)
NEAR_MARGIN = 0.5  # … searching this much of the box's side around it


def predictor_path() -> Path | None:
    """The 68-point model file inside the installed face-recognition-models package, or None."""
    spec = importlib.util.find_spec(MODELS_PACKAGE)
    for location in (spec.submodule_search_locations or []) if spec is not None else []:
        candidate = Path(location) / "models" / PREDICTOR_FILE
        if candidate.is_file():
            return candidate
    return None


@lru_cache(maxsize=1)
def _predictor(path: str) -> dlib.shape_predictor:
    return dlib.shape_predictor(path)


def _rect(box: tuple[float, float, float, float]) -> dlib.rectangle:
    x, y, w, h = box
    return dlib.rectangle(int(round(x)), int(round(y)), int(round(x + w)), int(round(y + h)))


@register_face_backend("dlib", priority=50)
class DlibDetector:
    """HOG frontal-face detection + the iBUG 68-point shape predictor (dlib), on grayscale frames."""

    backend = "dlib"

    def __init__(self, max_side: int = 640) -> None:
        path = predictor_path()
        if path is None:
            raise GlimpseError(DlibDetector.status(), hint="pip install face-recognition-models")
        self._hog = dlib.get_frontal_face_detector()
        self._shape = _predictor(str(path))
        self.max_side = max_side  # HOG cost is ~area: larger frames are searched on a downscaled copy

    @staticmethod
    def status() -> str:
        if predictor_path() is None:
            return f"the {MODELS_PACKAGE} package (with {PREDICTOR_FILE}) is not installed"
        return "available"

    def detect(self, image: np.ndarray, where: str = "image") -> Detection:
        gray = np.ascontiguousarray(gray_of(image))
        box = search_with_margin(gray, self._hog_box, 0.25)
        if box is None:
            raise NoFaceError("no face found (dlib HOG detector)", where=where, hint="check the frame")
        return self.refine(gray, box)

    def detect_near(
        self, image: np.ndarray, box: tuple[float, float, float, float], where: str = "image"
    ) -> Detection:
        """HOG only around ``box`` (the tracked face), downscaled so the face is ~``NEAR_FACE_PX`` wide.

        The periodic "is the face still there?" check: ~10× cheaper than searching the whole frame.
        """
        gray = gray_of(image)
        x, y, w, h = box
        side = max(w, h)
        x0, y0 = int(max(0, x - NEAR_MARGIN * side)), int(max(0, y - NEAR_MARGIN * side))
        x1 = int(min(gray.shape[1], x + w + NEAR_MARGIN * side))
        y1 = int(min(gray.shape[0], y + h + NEAR_MARGIN * side))
        roi = gray[y0:y1, x0:x1]
        if roi.size == 0:
            raise NoFaceError("no face found near the tracked box (dlib HOG)", where=where)
        k = min(1.0, NEAR_FACE_PX / max(side, 1.0))
        small = np.ascontiguousarray(
            cv2.resize(roi, None, fx=k, fy=k, interpolation=cv2.INTER_AREA) if k < 1 else roi
        )
        rects, scores, _ = self._hog.run(small, 0, 0.0)
        if not rects:
            raise NoFaceError("no face found near the tracked box (dlib HOG)", where=where)
        best = rects[int(np.argmax(scores))]
        found = (best.left() / k + x0, best.top() / k + y0, best.width() / k, best.height() / k)
        return self.refine(gray, found)

    def refine(self, image: np.ndarray, box: tuple[float, float, float, float]) -> Detection:
        """The 68 points fitted inside ``box`` (no search: the caller knows where the face is)."""
        gray = np.ascontiguousarray(gray_of(image))
        shape = self._shape(gray, _rect(box))
        pts = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)
        return Detection.from_landmarks(pts, self.backend, box)

    def _hog_box(self, gray: np.ndarray) -> tuple[float, float, float, float] | None:
        scale = min(1.0, self.max_side / max(gray.shape))
        small = (
            cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
        )
        # HOG finds faces of ≥ ~80 px: small frames are searched at twice their size
        rects, scores, _ = self._hog.run(small, 1 if max(small.shape) < 400 else 0, 0.0)
        if not rects:
            return None
        best = rects[int(np.argmax(scores))]
        return (
            best.left() / scale,
            best.top() / scale,
            best.width() / scale,
            best.height() / scale,
        )
