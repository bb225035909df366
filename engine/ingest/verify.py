"""Decode every frame of every clip a reader found, in parallel, before anything reaches the catalog.

Why every frame: checking only onset/apex/offset let a corrupt frame inside the coded range ingest
silently and surface later as a skipped clip in preprocessing. Why worker processes (the local
executor's pool, ``GLIMPSE_WORKERS``, one per core by default), not threads: Pillow releases the GIL only
inside the decoder, and with draft mode the Python around it (open, parse headers) is most of a small
frame's time, so two threads measured no faster than one; a clip is one task and only its file names
travel.
Pillow (not OpenCV) decides, because OpenCV returns a grey-filled image for a truncated JPEG. JPEGs are
decoded in Pillow's draft mode (DCT scaling to 1/8): the whole compressed stream is still read and
entropy-decoded — truncated or corrupt data fails exactly as at full size — but the inverse DCT is 1/64th
of the work, ≈ 2.6× faster on 640×480 frames.

A clip with a bad frame is not ingested: it is reported as an ``IngestIssue`` against the reader's file
and row (``ClipRecord.source_file``/``source_row``), naming the frame file, and the rest go in — so no
clip is ever half in the catalog.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import cv2
from PIL import Image

from engine.config import settings
from engine.ingest.base import ClipRecord, IngestIssue, ReadResult
from engine.ingest.common import VIDEO_EXTENSIONS
from engine.local_executor import LocalExecutor, available_cores, worth_a_pool
from engine.progress import NullReporter, Reporter

# measured: 5,200–6,900 frames per CPU-second (128 px, draft mode; bench_ingest_decode, bench_pool_data)
DECODED_FRAMES_PER_CPU_S = 5000


def default_workers() -> int:
    """The local pool's size: ``GLIMPSE_WORKERS``, else one per core."""
    return settings().workers or available_cores()


@dataclass(frozen=True)
class VerifyStats:
    """What one verification pass decoded, and how fast (for the ingest report and the benchmark)."""

    n_clips: int
    n_frames: int
    n_bad_clips: int
    workers: int
    seconds: float

    @property
    def frames_per_s(self) -> float:
        return self.n_frames / self.seconds if self.seconds > 0 else 0.0


def frame_problem(path: Path) -> str | None:
    """Why an image file cannot be used (unreadable, empty, corrupt, truncated), or None when it decodes."""
    try:
        if path.stat().st_size == 0:
            return "empty file (0 bytes)"
    except OSError as error:
        return f"cannot read ({error.strerror})"
    try:
        with Image.open(path) as image:
            image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))  # JPEG only
            image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        return f"not a decodable image ({error})"
    return None


def _is_video(clip: ClipRecord) -> bool:
    paths = {f.path for f in clip.frames}
    return len(paths) == 1 and os.path.splitext(next(iter(paths)))[1].lower() in VIDEO_EXTENSIONS


def _video_problem(root: Path, clip: ClipRecord) -> str | None:
    """Decode the clip's frames of its video in order; the first that fails is named."""
    path = clip.frames[0].path
    capture = cv2.VideoCapture(str(root / path))
    try:
        if not capture.isOpened():
            return f"video {path!r} cannot be opened"
        capture.set(cv2.CAP_PROP_POS_FRAMES, clip.frames[0].number)
        for frame in clip.frames:
            ok, image = capture.read()
            if not ok or image is None:
                return f"frame {frame.number} of video {path!r} cannot be decoded"
    finally:
        capture.release()
    return None


def _where(clip: ClipRecord, number: int) -> str:
    if clip.onset is not None and clip.offset is not None and clip.onset <= number <= clip.offset:
        return f" (frame {number}, inside the coded range {clip.onset}–{clip.offset})"
    return f" (frame {number})"


def clip_problem(root: Path, clip: ClipRecord) -> str | None:
    """The first frame of ``clip`` that does not decode, described, or None when all of them do."""
    if _is_video(clip):
        return _video_problem(root, clip)
    for frame in clip.frames:
        problem = frame_problem(root / frame.path)
        if problem:
            return f"frame file {frame.path!r}{_where(clip, frame.number)}: {problem}"
    return None


def verify_clips(
    root: Path,
    clips: Sequence[ClipRecord],
    workers: int | None = None,
    reporter: Reporter | None = None,
) -> tuple[list[ClipRecord], list[IngestIssue], VerifyStats]:
    """(clips whose every frame decodes, one issue per clip that has a bad frame, stats), in input order.
    ``workers`` processes decode (1: in this process; None: ``default_workers()`` when the frames are
    worth a pool's start-up, else 1)."""
    reporter = reporter or NullReporter()
    n_frames = sum(len(c.frames) for c in clips)
    if not workers:
        most = default_workers()
        workers = most if worth_a_pool(n_frames / DECODED_FRAMES_PER_CPU_S, most) else 1
    workers = max(1, int(workers))
    started = time.perf_counter()
    good: list[ClipRecord] = []
    issues: list[IngestIssue] = []
    step = max(1, len(clips) // 20)
    pool = LocalExecutor(workers if len(clips) > 1 else 1)
    with closing(pool.imap(partial(clip_problem, root), clips, reporter=reporter)) as problems:
        for k, (clip, problem) in enumerate(zip(clips, problems, strict=True)):
            if problem:
                issues.append(IngestIssue(clip.source_file or clip.path, clip.source_row, problem))
            else:
                good.append(clip)
            if (k + 1) % step == 0:
                reporter.progress((k + 1) / len(clips), f"decoded {k + 1}/{len(clips)} clips")
    stats = VerifyStats(
        n_clips=len(clips),
        n_frames=n_frames,
        n_bad_clips=len(issues),
        workers=workers,
        seconds=time.perf_counter() - started,
    )
    return good, issues, stats


def verify_result(
    root: Path, result: ReadResult, workers: int | None = None, reporter: Reporter | None = None
) -> tuple[ReadResult, VerifyStats]:
    """``result`` with the clips that have an undecodable frame moved to its issues."""
    good, issues, stats = verify_clips(root, result.clips, workers, reporter)
    return replace(result, clips=good, issues=[*result.issues, *issues]), stats
