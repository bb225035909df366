"""Long videos of the catalog as spotters see them: recordings, their coded intervals, their features.

Features are computed per video (one executor task each, so a cluster spreads a SAMM-LV-sized dataset
over its nodes) and cached on disk by content: the key hashes every frame file (path, size, mtime), the
landmarks file and the signal config, so a re-run is a cache hit that decodes nothing and an edited
frame is recomputed.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from db import queries
from db.queries import dataset_intervals, dataset_named, recordings
from engine.errors import GlimpseError
from engine.local_executor import Executor, LocalExecutor
from engine.paths import cache_dir, resolve_within
from engine.preprocess.cache import load_array, save_array
from engine.preprocess.faces import LANDMARKS_FILE
from engine.preprocess.frames import VideoFrames, is_video
from engine.progress import NullReporter, Reporter
from engine.spotting.intervals import Interval
from engine.spotting.signals import (
    SignalConfig,
    VideoSignals,
    features_of_files,
    features_of_frames,
    ground_truth_boxes,
)


@dataclass(frozen=True)
class VideoSource:
    """Where one recording's frames are (resolved paths): plain data, so it can travel to a Ray task."""

    clip_id: int
    video: str
    subject: str
    fps: float
    numbers: tuple[int, ...]
    files: tuple[str, ...]  # one per frame; for a video file, that file once
    cache_file: str


def video_names(session: Session, dataset_name: str) -> dict[int, str]:
    """clip id → the name its intervals carry: the recording's name, prefixed by its subject only when
    two subjects share a name (CSV and log names must be unique within a dataset)."""
    clips = recordings(session, [dataset_name])
    counts = Counter(c.name for c in clips)
    return {c.id: c.name if counts[c.name] == 1 else f"{c.subject.code}_{c.name}" for c in clips}


def _cache_key(numbers: Sequence[int], files: Sequence[Path], cfg: SignalConfig) -> str:
    digest = hashlib.sha256(cfg.key().encode())
    for number, path in zip(numbers if len(files) == len(numbers) else [0], files, strict=True):
        try:
            stat = path.stat()
        except OSError:
            raise GlimpseError("frame file is missing", where=str(path), hint="re-copy the dataset") from None
        digest.update(f"{number}|{path}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    digest.update(f"frames {','.join(map(str, numbers))}\n".encode())
    landmarks = files[0].parent / LANDMARKS_FILE
    if landmarks.is_file():  # edited face boxes = different features
        stat = landmarks.stat()
        digest.update(f"{landmarks}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def video_sources(session: Session, dataset_name: str, cfg: SignalConfig) -> list[VideoSource]:
    """Every recording of a dataset with its frame files, checked to stay inside the dataset root."""
    dataset = dataset_named(session, dataset_name)
    names = video_names(session, dataset_name)
    if not names:
        raise GlimpseError(
            f"dataset {dataset_name!r} has no long videos (recordings)",
            hint="ingest a long-video release (casme_sq, samm_lv, casme3) or `glimpse synth`",
        )
    out = []
    for clip in recordings(session, [dataset_name]):
        fps = clip.fps or dataset.fps
        if not fps:
            raise GlimpseError("recording has no fps", where=f"{dataset_name}/{clip.name}")
        frames = queries.clip_frames(session, clip.id)
        if not frames:
            raise GlimpseError("recording has no frames in the catalog", where=f"{dataset_name}/{clip.name}")
        numbers = [f.number for f in frames]
        whole = resolve_within(dataset.root, clip.path) if clip.path else None
        if whole is not None and is_video(whole):
            files = [whole]
        else:
            files = [resolve_within(dataset.root, f.path) for f in frames]
        key = _cache_key(numbers, files, cfg)
        out.append(
            VideoSource(
                clip.id,
                names[clip.id],
                clip.subject.code,
                float(fps),
                tuple(numbers),
                tuple(str(f) for f in files),
                str(cache_dir() / "spotting" / key[:2] / f"{key}.npy"),
            )
        )
    return out


def compute_features(source: VideoSource, cfg: SignalConfig) -> str:
    """The cache file of one recording's features, computing it when missing (an executor task)."""
    path = Path(source.cache_file)
    cached = load_array(path) if path.is_file() else None
    if cached is not None and len(cached) == len(source.numbers):
        return str(path)
    files = [Path(f) for f in source.files]
    if len(files) == 1 and is_video(files[0]) and len(source.numbers) > 1:
        video = VideoFrames(files[0])
        try:
            features = features_of_frames((video.read(i) for i in range(len(source.numbers))), None, cfg)
        finally:
            video.close()
    else:
        features = features_of_files(files, cfg, ground_truth_boxes(files[0].parent, files))
    save_array(path, features)
    return str(path)


def truth_by_clip(session: Session, dataset_name: str) -> dict[int, list[Interval]]:
    """The dataset's own coding (annotator ``source``) per recording, as spotting intervals."""
    names = video_names(session, dataset_name)
    out: dict[int, list[Interval]] = {cid: [] for cid in names}
    for clip, row in dataset_intervals(session, dataset_name):
        out[clip.id].append(
            Interval(names[clip.id], row.onset, row.offset, row.type, apex=row.apex, label=row.label or "")
        )
    return out


def dataset_signals(
    session: Session,
    dataset_name: str,
    cfg: SignalConfig = SignalConfig(),
    executor: Executor | None = None,
    reporter: Reporter | None = None,
) -> list[VideoSignals]:
    """Every recording of a dataset with its features (one executor task per video) and its truth."""
    sources = video_sources(session, dataset_name, cfg)
    truth = truth_by_clip(session, dataset_name)
    executor = executor or LocalExecutor()
    paths = executor.map(partial(compute_features, cfg=cfg), sources, reporter=reporter or NullReporter())
    out = []
    for source, path in zip(sources, paths, strict=True):
        features = load_array(Path(path))
        if features is None:
            raise GlimpseError("spotting features vanished from the cache", where=path, hint="run again")
        out.append(
            VideoSignals(
                source.video,
                source.subject,
                source.fps,
                np.asarray(source.numbers),
                features,
                tuple(truth[source.clip_id]),
                clip_id=source.clip_id,
            )
        )
    return out
