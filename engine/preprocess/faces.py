"""Face detectors behind one result type: ground-truth landmarks, OpenCV Haar cascades, face-alignment.

Each returns a ``Detection`` with the two eye centres, all alignment needs. ``left_eye`` is the eye on
the image's left (the subject's right eye; iBUG points 36-41), ``right_eye`` the one on the image's right.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from engine.errors import GlimpseError
from engine.preprocess.registry import Detection, NoFaceError, register_face_backend

__all__ = [
    "LANDMARKS_FILE",
    "Detection",
    "FaceAlignmentDetector",
    "GroundTruthBackend",
    "OpenCVDetector",
    "detect_ground_truth",
    "face_alignment_weights",
    "gray_of",
    "has_ground_truth",
    "search_with_margin",
]

LANDMARKS_FILE = "glimpse_landmarks.json"

# Files face_alignment downloads on first use (face_alignment/api.py and detection/sfd/sfd_detector.py).
FAN_WEIGHTS = "2DFAN4-11f355bf06.pth.tar"
SFD_WEIGHTS = "s3fd-619a316812.pth"

# Where the eyes sit inside a Haar frontal-face box (fractions of its side), measured on real faces;
# used when the eye cascade finds no usable pair.
HAAR_EYE_X = (0.31, 0.69)
HAAR_EYE_Y = 0.40


# --------------------------------------------------------------------------------------------- ground truth
def has_ground_truth(folder: str | Path) -> bool:
    return (Path(folder) / LANDMARKS_FILE).is_file()


@lru_cache(maxsize=64)
def _read_landmarks(path: str, mtime_ns: int) -> dict:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise GlimpseError(f"cannot read landmarks: {error}", where=path) from error
    if not isinstance(data, dict) or not isinstance(data.get("frames"), dict):
        raise GlimpseError("landmarks file has no 'frames' object", where=path)
    if data.get("format", "ibug68") != "ibug68":
        raise GlimpseError(f"unsupported landmark format {data.get('format')!r}", where=path, hint="ibug68")
    return data["frames"]


@register_face_backend("ground_truth", priority=100, needs_files=True, factory=False)
class GroundTruthBackend:
    """The synthetic corpus's own landmarks file: exact faces, no detector."""

    @staticmethod
    def status() -> str:
        return f"available for folders with {LANDMARKS_FILE} (the synthetic corpus)"


@dataclass(frozen=True)
class GroundTruthMarks:
    """The box and 68 iBUG landmarks a dataset (the synthetic corpus) stored beside one frame."""

    box: tuple[float, ...] | None
    landmarks: tuple[tuple[float, float], ...]
    format: str = "ibug68"


def ground_truth_marks(folder: str | Path, file_name: str) -> GroundTruthMarks | None:
    """The stored marks of one frame for the player's overlay; None when the dataset has none for it."""
    path = Path(folder) / LANDMARKS_FILE
    if not path.is_file():
        return None
    entry = _read_landmarks(str(path), path.stat().st_mtime_ns).get(file_name)
    if entry is None:
        return None
    box = entry.get("box")
    points = entry.get("landmarks") or []
    return GroundTruthMarks(
        box=tuple(float(v) for v in box) if box else None,
        landmarks=tuple((float(x), float(y)) for x, y in points),
    )


def detect_ground_truth(folder: str | Path, file_name: str) -> Detection:
    """The face box and 68 landmarks the synthetic corpus wrote beside its frames."""
    path = Path(folder) / LANDMARKS_FILE
    if not path.is_file():
        raise GlimpseError(f"no {LANDMARKS_FILE} beside the frames", where=str(path.parent))
    frames = _read_landmarks(str(path), path.stat().st_mtime_ns)
    entry = frames.get(file_name)
    if entry is None:
        raise GlimpseError(f"no ground-truth face for frame {file_name!r}", where=str(path))
    try:
        return Detection.from_landmarks(np.asarray(entry["landmarks"]), "ground_truth", entry.get("box"))
    except (KeyError, TypeError, ValueError) as error:
        raise GlimpseError(f"bad landmarks for frame {file_name!r}: {error}", where=str(path)) from error


# --------------------------------------------------------------------------------------------------- opencv
@register_face_backend("opencv", priority=0)
class OpenCVDetector:
    """Haar frontal face + eyes (bundled with OpenCV, offline). Eyes missing → estimated from the box."""

    backend = "opencv"

    def __init__(self, max_side: int = 320) -> None:
        base = Path(cv2.data.haarcascades)  # type: ignore[attr-defined]  # missing from OpenCV's stubs
        self._face = cv2.CascadeClassifier(str(base / "haarcascade_frontalface_default.xml"))
        self._face_alt = cv2.CascadeClassifier(str(base / "haarcascade_frontalface_alt2.xml"))
        self._eye = cv2.CascadeClassifier(str(base / "haarcascade_eye.xml"))
        if self._face.empty() or self._eye.empty():
            raise GlimpseError("OpenCV's Haar cascades are missing", where=str(base), hint="reinstall opencv")
        self.max_side = max_side  # faces are searched on a downscaled copy: detection cost is ~area

    @staticmethod
    def status() -> str:
        return "available"

    def detect(self, image: np.ndarray, where: str = "image") -> Detection:
        gray = gray_of(image)
        box = search_with_margin(gray, self._face_box, 0.2)
        if box is None:
            raise NoFaceError("no face found (OpenCV Haar detector)", where=where, hint="check the frame")
        left, right = self._eyes(gray, box)
        return Detection(box, left, right, None, self.backend)

    def _face_box(self, gray: np.ndarray) -> tuple[float, float, float, float] | None:
        scale = min(1.0, self.max_side / max(gray.shape))
        small = (
            cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
        )
        small = cv2.equalizeHist(small)
        min_side = max(20, int(0.15 * min(small.shape)))
        # alt2 first: fewer false positives; the most confident detection wins, not the largest
        for cascade in (self._face_alt, self._face):
            boxes, _, weights = cascade.detectMultiScale3(
                small, scaleFactor=1.1, minNeighbors=5, minSize=(min_side, min_side), outputRejectLevels=True
            )
            if len(boxes):
                best = boxes[int(np.argmax(np.asarray(weights).ravel()))]
                x, y, w, h = (float(v) / scale for v in best)
                return x, y, w, h
        return None

    def _eyes(
        self, gray: np.ndarray, box: tuple[float, float, float, float]
    ) -> tuple[tuple[float, float], tuple[float, float]]:
        x, y, w, h = box
        fallback = (
            (x + HAAR_EYE_X[0] * w, y + HAAR_EYE_Y * h),
            (x + HAAR_EYE_X[1] * w, y + HAAR_EYE_Y * h),
        )
        # eyes live in the upper ~55 % of the box; search a copy normalised to 160 px face width
        x0, y0 = int(max(0, x)), int(max(0, y + 0.15 * h))
        roi = gray[y0 : int(y + 0.58 * h), x0 : int(x + w)]
        if roi.size == 0:
            return fallback
        k = 160.0 / max(1.0, w)
        roi = cv2.equalizeHist(cv2.resize(roi, None, fx=k, fy=k, interpolation=cv2.INTER_LINEAR))
        eyes = self._eye.detectMultiScale(
            roi, scaleFactor=1.1, minNeighbors=4, minSize=(16, 16), maxSize=(70, 70)
        )
        centres = [((ex + ew / 2) / k + x0, (ey + eh / 2) / k + y0) for ex, ey, ew, eh in eyes]
        lefts = [c for c in centres if c[0] < x + 0.5 * w]
        rights = [c for c in centres if c[0] >= x + 0.5 * w]
        if not lefts or not rights:
            return fallback
        # the pair nearest the expected positions; reject a pair that is implausibly tilted or spaced
        left = min(lefts, key=lambda c: np.hypot(c[0] - fallback[0][0], c[1] - fallback[0][1]))
        right = min(rights, key=lambda c: np.hypot(c[0] - fallback[1][0], c[1] - fallback[1][1]))
        dx, dy = right[0] - left[0], right[1] - left[1]
        if not (0.25 * w < dx < 0.65 * w) or abs(dy) > 0.6 * dx:
            return fallback
        return (float(left[0]), float(left[1])), (float(right[0]), float(right[1]))


# ------------------------------------------------------------------------------------------ face_alignment
def checkpoint_dirs() -> list[Path]:
    """Where torch.hub (and so face_alignment) keeps downloaded weights."""
    dirs = []
    if os.environ.get("TORCH_HOME"):
        dirs.append(Path(os.environ["TORCH_HOME"]) / "hub" / "checkpoints")
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        dirs.append(Path(xdg) / "torch" / "hub" / "checkpoints")
    dirs.append(Path.home() / ".cache" / "torch" / "hub" / "checkpoints")
    return list(dict.fromkeys(dirs))


def face_alignment_weights() -> tuple[Path | None, str]:
    """(checkpoint folder holding both weight files, or None) and the reason when absent."""
    # find_spec, not import: importing face_alignment imports torch (seconds) just to answer "no"
    if "face_alignment" not in sys.modules and importlib.util.find_spec("face_alignment") is None:
        return None, "face-alignment is not installed"
    dirs = checkpoint_dirs()
    for folder in dirs:
        if (folder / FAN_WEIGHTS).is_file() and (folder / SFD_WEIGHTS).is_file():
            return folder, "available"
    where = " or ".join(str(d) for d in dirs)
    return None, (
        f"face-alignment weights not found in {where} ({FAN_WEIGHTS}, {SFD_WEIGHTS}); "
        "Glimpse never downloads them: copy them there to enable it"
    )


@register_face_backend("face_alignment", priority=40)
class FaceAlignmentDetector:
    """face_alignment's 2D FAN (68 landmarks), only from weights already on disk — never downloads."""

    backend = "face_alignment"

    def __init__(self, device: str = "cpu") -> None:
        folder, reason = face_alignment_weights()
        if folder is None:
            raise GlimpseError(reason)
        # imported here, once the weights are known to be there: an optional dependency that imports torch
        import face_alignment

        kwargs: dict[str, object] = {"device": device, "face_detector": "sfd"}
        kwargs["face_detector_kwargs"] = {"path_to_detector": str(folder / SFD_WEIGHTS)}
        if "compile" in inspect.signature(face_alignment.FaceAlignment.__init__).parameters:
            kwargs["compile"] = False
        # face_alignment loads the FAN weights from $TORCH_HOME/hub/checkpoints (downloading if absent,
        # which cannot happen here: both files were checked above); point it at the folder we found
        previous = os.environ.get("TORCH_HOME")
        os.environ["TORCH_HOME"] = str(folder.parent.parent)
        try:
            self._fa = face_alignment.FaceAlignment(face_alignment.LandmarksType.TWO_D, **kwargs)
        finally:
            if previous is None:
                os.environ.pop("TORCH_HOME", None)
            else:
                os.environ["TORCH_HOME"] = previous

    @staticmethod
    def status() -> str:
        return face_alignment_weights()[1]

    def detect(self, image: np.ndarray, where: str = "image") -> Detection:
        rgb = cv2.cvtColor(gray_of(image), cv2.COLOR_GRAY2RGB)
        found = self._fa.get_landmarks_from_image(rgb)
        if not found:
            raise NoFaceError("no face found (face-alignment)", where=where, hint="check the frame")
        best = max(found, key=lambda p: np.ptp(p[:, 0]) * np.ptp(p[:, 1]))
        try:
            return Detection.from_landmarks(best[:, :2], self.backend)
        except ValueError as error:
            raise GlimpseError(f"unusable landmarks: {error}", where=where) from error


Box = tuple[float, float, float, float]


def search_with_margin(
    gray: np.ndarray, find: Callable[[np.ndarray], Box | None], margin: float
) -> Box | None:
    """``find(gray)``, and if it finds nothing, again on the frame with a replicated border.

    Tightly cropped faces (CASME II / SMIC "cropped" releases) leave a detector no margin around the
    face; the border (``margin`` of the longer side) gives it one. The box comes back in frame pixels.
    """
    box = find(gray)
    if box is not None:
        return box
    pad = max(8, int(margin * max(gray.shape)))
    found = find(cv2.copyMakeBorder(gray, pad, pad, pad, pad, cv2.BORDER_REPLICATE))
    return None if found is None else (found[0] - pad, found[1] - pad, found[2], found[3])


def gray_of(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image if image.dtype == np.uint8 else np.clip(image, 0, 255).astype(np.uint8)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
