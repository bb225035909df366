"""Video files (.avi/.mp4) plus a CSV of ``clip, subject, onset, apex, offset, emotion`` — or one video.

Frames are not extracted: each frame is referenced by its 0-based index in the video (``Frame.number``)
with the video file as its path; OpenCV decodes them when preprocessing asks.

A single video file with no CSV (``glimpse ingest FILE.mp4 --format video``) is one unlabelled recording
spanning the whole video; its dataset root is the file's folder.
"""

from __future__ import annotations

from pathlib import Path

import cv2

from db.schema import RECORDING
from engine.errors import GlimpseError
from engine.ingest.base import ClipRecord, FrameRecord, IngestIssue, ReadResult
from engine.ingest.common import (
    VIDEO_EXTENSIONS,
    as_int,
    find_file,
    inside_root,
    load_coding,
    rel_path,
    require_dir,
)
from engine.ingest.labels import generic_label
from engine.ingest.registry import register_reader

COLUMNS = ("clip", "subject", "onset", "apex", "offset", "emotion")


def probe_video(path: Path, frame: int = 0) -> tuple[int, float | None, str | None]:
    """(frame count, fps, problem): opens the video and decodes one frame, cheaply."""
    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened():
            return 0, None, "cannot be opened as a video (corrupt or unsupported codec)"
        count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        fps = float(capture.get(cv2.CAP_PROP_FPS) or 0) or None
        if frame:
            capture.set(cv2.CAP_PROP_POS_FRAMES, frame)
        ok, image = capture.read()
        if not ok or image is None:
            return count, fps, f"frame {frame} cannot be decoded"
        return count, fps, None
    finally:
        capture.release()


def _video_path(root: Path, name: str) -> Path | None:
    candidate = inside_root(root, name)
    if candidate is None:
        return None
    if candidate.is_file():
        return candidate
    for ext in sorted(VIDEO_EXTENSIONS):
        with_ext = candidate.with_name(candidate.name + ext)
        if with_ext.is_file():
            return with_ext
    return candidate


def count_frames(path: Path) -> int:
    """Frames that really decode (container frame counts are often estimates for .mp4/.mov)."""
    capture = cv2.VideoCapture(str(path))
    try:
        n = 0
        while capture.grab():
            n += 1
        return n
    finally:
        capture.release()


def read_single(video: Path) -> ReadResult:
    """One video file, no coding: one recording of every frame that decodes, subject = the file's stem."""
    _, fps, problem = probe_video(video)
    if problem:
        raise GlimpseError(f"video {problem}", where=str(video), hint="check the file and its codec")
    count = count_frames(video)
    if count == 0:
        raise GlimpseError("video has no decodable frames", where=str(video), hint="is it truncated?")
    rel = video.name
    clip = ClipRecord(
        subject=video.stem,
        name=video.stem,
        path=rel,
        frames=[FrameRecord(number=i, path=rel) for i in range(count)],
        kind=RECORDING,
        fps=fps,
        label=None,
        meta={"video_frames": count, "single_video": True},
    )
    return ReadResult(clips=[clip], fps=fps, purpose="micro", meta={"video": rel, "recordings": 1})


@register_reader("video")
def read(root: Path) -> ReadResult:
    """Read one clip per CSV row; a row without onset/offset spans its whole video. A file: one recording."""
    if root.is_file():
        return read_single(root)
    root = require_dir(root)
    csv = find_file(root, ("*.csv",), max_depth=1)
    if csv is None:
        raise GlimpseError(
            "no CSV of clips found beside the videos",
            where=str(root),
            hint="add a CSV with columns clip, subject, onset, apex, offset, emotion",
        )
    table = load_coding(csv, root, COLUMNS)
    clips: list[ClipRecord] = []
    issues: list[IngestIssue] = []
    fps_seen: list[float] = []
    for row, cells in table.rows:
        name = str(cells["clip"]).strip()
        video = _video_path(root, name)
        if video is None:
            issues.append(IngestIssue(table.file, row, f"video path {name!r} escapes the dataset folder"))
            continue
        if not video.is_file():
            issues.append(IngestIssue(table.file, row, f"video {name!r} not found"))
            continue
        onset, apex, offset = (as_int(cells[c]) for c in ("onset", "apex", "offset"))
        count, fps, problem = probe_video(video, onset or 0)
        if problem:
            issues.append(IngestIssue(table.file, row, f"{rel_path(root, video)!r}: {problem}"))
            continue
        if onset is not None and offset is not None and onset > offset:
            issues.append(IngestIssue(table.file, row, f"onset {onset} is after offset {offset}"))
            continue
        lo = onset if onset is not None else 0
        hi = offset if offset is not None else count - 1
        if hi >= count:
            issues.append(
                IngestIssue(table.file, row, f"offset {hi} is past the video's last frame {count - 1}")
            )
            continue
        if apex is not None and not lo <= apex <= hi:
            issues.append(IngestIssue(table.file, row, f"apex {apex} is outside onset–offset {lo}–{hi}"))
            continue
        rel = rel_path(root, video)
        emotion = str(cells["emotion"]).strip()
        if fps:
            fps_seen.append(fps)
        clips.append(
            ClipRecord(
                subject=str(cells["subject"]).strip() or "unknown",
                name=f"{Path(name).stem}_{lo}" if onset is not None else Path(name).stem,
                path=rel,
                frames=[FrameRecord(number=i, path=rel) for i in range(lo, hi + 1)],
                kind="micro",
                fps=fps,
                onset=onset,
                apex=apex,
                offset=offset,
                emotion_raw=emotion,
                label=generic_label(emotion),
                meta={"video_frames": count},
                source_file=table.file,
                source_row=row,
            )
        )
    return ReadResult(
        clips=clips,
        issues=issues,
        fps=fps_seen[0] if fps_seen else None,
        purpose="micro",
        meta={"csv": table.file},
    )
