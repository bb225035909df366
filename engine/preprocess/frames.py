"""Reading a clip's frames as the catalog lists them: image files, or frames of a video file by index."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from engine.errors import GlimpseError

VIDEO_SUFFIXES = {".avi", ".mp4", ".mov", ".mkv", ".m4v", ".mpg", ".mpeg", ".wmv"}


def is_video(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_SUFFIXES and path.is_file()


REDUCED = {
    1: cv2.IMREAD_GRAYSCALE,
    2: cv2.IMREAD_REDUCED_GRAYSCALE_2,
    4: cv2.IMREAD_REDUCED_GRAYSCALE_4,
    8: cv2.IMREAD_REDUCED_GRAYSCALE_8,
}


def read_gray(path: Path, reduce: int = 1) -> np.ndarray:
    """A grayscale uint8 frame, optionally decoded at 1/``reduce`` (cheap for JPEG: DCT scaling).

    An unreadable, empty or corrupt file raises GlimpseError naming it.
    """
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError as error:
        raise GlimpseError(f"cannot read frame: {error.strerror or error}", where=str(path)) from error
    if data.size == 0:
        raise GlimpseError("frame file is empty", where=str(path), hint="re-copy the dataset")
    image = cv2.imdecode(data, REDUCED[reduce])
    if image is None or image.size == 0:
        raise GlimpseError(
            "frame file is corrupt or not an image", where=str(path), hint="re-copy the dataset"
        )
    return image


def read_rgb(path: Path) -> np.ndarray:
    """A colour frame as RGB uint8 (what the player shows); unreadable files raise GlimpseError naming it."""
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError as error:
        raise GlimpseError(
            "cannot read the frame image", where=str(path), hint="is the dataset folder still there?"
        ) from error
    image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if image is None:
        raise GlimpseError(
            "cannot read the frame image", where=str(path), hint="is the dataset folder still there?"
        )
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


class VideoFrames:
    """Random access to a video's frames by 0-based index (sequential reads avoid seeking)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cap = cv2.VideoCapture(str(path))
        if not self._cap.isOpened():
            raise GlimpseError("cannot open video", where=str(path), hint="check the file and its codec")
        self._next = 0

    def __len__(self) -> int:
        return int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT))

    def read(self, index: int) -> np.ndarray:
        if index != self._next:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, index)
        ok, frame = self._cap.read()
        if not ok or frame is None:
            raise GlimpseError(
                f"cannot decode frame {index}", where=str(self.path), hint="is the video truncated?"
            )
        self._next = index + 1
        return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame

    def close(self) -> None:
        self._cap.release()


def read_frame_rgb(path: Path, number: int) -> np.ndarray:
    """Frame ``number`` of a clip as RGB uint8: the image file itself, or that 0-based frame of a video."""
    if not is_video(path):
        return read_rgb(path)
    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened():
            raise GlimpseError("cannot open video", where=str(path), hint="check the file and its codec")
        if number:
            capture.set(cv2.CAP_PROP_POS_FRAMES, number)
        ok, frame = capture.read()
    finally:
        capture.release()
    if not ok or frame is None:
        raise GlimpseError(f"cannot decode frame {number}", where=str(path), hint="is the video truncated?")
    return cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
