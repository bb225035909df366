"""Reading a clip's frames as the catalog lists them: image files, or frames of a video file by index."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from engine.errors import GlimpseError
from engine.paths import resolve_within
from engine.preprocess.faces import ground_truth_marks

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


@dataclass(frozen=True)
class ClipFrames:
    """Where a clip's frames are: files under the dataset root by frame number, or a video by position.

    Paths stay relative until a window needs them: resolving 24,000 paths up front took seconds."""

    clip_id: int
    numbers: list[int]
    root: Path
    paths: list[str]  # dataset-relative
    video: Path | None

    def file(self, index: int) -> Path:
        return resolve_within(self.root, self.paths[index])


@dataclass(frozen=True)
class FramesRead:
    """Frames ``start ..`` (positions in the clip) as decoded: each a BGR (or a video's gray) image, or the
    reason it cannot be shown (missing, empty, corrupt); stored landmarks by frame number, in pixels."""

    start: int
    numbers: list[int]
    images: list[np.ndarray | str]
    landmarks: dict[int, tuple[tuple[float, float], ...]] = field(default_factory=dict)


def read_color(path: Path) -> np.ndarray | str:
    """BGR frame, or the reason it cannot be shown (missing, empty, corrupt)."""
    if not path.is_file():
        return "missing file"
    data = np.fromfile(path, dtype=np.uint8)
    if data.size == 0:
        return "empty file"
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    return "corrupt image" if image is None else image


def read_window(frames: ClipFrames, start: int, count: int) -> FramesRead:
    """Frames ``start .. start+count-1`` (clamped to the clip), with the landmarks stored beside image
    files. A frame that cannot be read is its reason, so the rest of the window still shows."""
    n = len(frames.numbers)
    start = max(0, min(int(start), max(0, n - 1)))
    stop = min(n, start + max(1, int(count)))
    images: list[np.ndarray | str] = []
    landmarks: dict[int, tuple[tuple[float, float], ...]] = {}
    reader = VideoFrames(frames.video) if frames.video is not None else None
    try:
        for i in range(start, stop):
            if reader is not None:
                try:
                    images.append(reader.read(i))
                except GlimpseError as error:
                    images.append(error.message)
                continue
            path = frames.file(i)
            images.append(read_color(path))
            found = ground_truth_marks(path.parent, path.name) if not isinstance(images[-1], str) else None
            if found is not None and found.landmarks:
                landmarks[frames.numbers[i]] = found.landmarks
    finally:
        if reader is not None:
            reader.close()
    return FramesRead(start, frames.numbers[start:stop], images, landmarks)
