"""Reading a run's ``trajectories.npz`` (per-frame features, class scores and frame numbers per clip)
and the 2-D PCA path the Trajectories page draws.

``engine.train.runs.record_loso`` writes the file: arrays ``feat_<clip>`` (T, D), ``scores_<clip>``
(T, C), ``frames_<clip>`` (T,) and ``labels`` (C,). A finished run's files never change, so the clip
index of a file is cached per (path, modification time): every file is opened once per process for
its index, not once per page rerun and run.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from sklearn.decomposition import PCA

from engine.errors import GlimpseError

FEATURE_PREFIX = "feat_"


@dataclass(frozen=True)
class ClipTrajectory:
    """One clip's per-frame features (T, D), their 2-D PCA path (T, 2), class scores (T, C) or None, and
    the frame number of each step."""

    features: np.ndarray
    pca: np.ndarray
    scores: np.ndarray | None
    frames: tuple[int, ...]
    score_labels: tuple[str, ...]


@lru_cache(maxsize=512)
def _clip_index(path: str, mtime_ns: int) -> tuple[int, ...]:
    with np.load(path, allow_pickle=False) as data:
        keys = list(data.files)
    return tuple(sorted(int(k.removeprefix(FEATURE_PREFIX)) for k in keys if k.startswith(FEATURE_PREFIX)))


def clips_with_features(path: Path) -> tuple[int, ...]:
    """Clip ids the file holds per-frame features of (cached while the file is unchanged)."""
    return _clip_index(str(path), path.stat().st_mtime_ns)


def pca_path(features: np.ndarray) -> np.ndarray:
    """(T, 2) PCA projection of (T, D) features; zeros for a single frame, padded when D < 2."""
    if len(features) < 2:
        return np.zeros((len(features), 2))
    path2d = PCA(n_components=min(2, *features.shape)).fit_transform(features)
    if path2d.shape[1] < 2:
        path2d = np.pad(path2d, ((0, 0), (0, 2 - path2d.shape[1])))
    return path2d


def read_clip_trajectory(path: Path, clip_id: int, default_labels: tuple[str, ...]) -> ClipTrajectory:
    """One clip's arrays from the file, with its PCA path; a clip the file lacks is a GlimpseError."""
    with np.load(path, allow_pickle=False) as data:
        key = f"{FEATURE_PREFIX}{clip_id}"
        if key not in data.files:
            raise GlimpseError(f"no per-frame features for clip {clip_id}", where=str(path))
        features = np.asarray(data[key], dtype=np.float32)
        scores = np.asarray(data[f"scores_{clip_id}"]) if f"scores_{clip_id}" in data.files else None
        frames = (
            data[f"frames_{clip_id}"].tolist()
            if f"frames_{clip_id}" in data.files
            else list(range(len(features)))
        )
        labels = tuple(str(x) for x in data["labels"].tolist()) if "labels" in data.files else default_labels
    return ClipTrajectory(
        features=features,
        pca=pca_path(features),
        scores=scores,
        frames=tuple(int(f) for f in frames),
        score_labels=labels,
    )
