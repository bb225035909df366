"""Trajectories: per-frame features a stage-3 run stored, and their 2-D PCA path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select

from db.schema import (
    Artifact,
)
from engine.api.results import LABELS_ME
from engine.api.session import get_session
from engine.errors import GlimpseError
from engine.paths import glimpse_home, resolve_within

TRAJECTORY_KINDS = ("features", "frame_scores")


def _trajectory_files() -> dict[str, Path]:
    """run id → its ``trajectories.npz`` (Artifact kind features/frame_scores, file name preferred)."""
    with get_session() as session:
        arts = session.execute(
            select(Artifact.run_id, Artifact.path)
            .where(Artifact.kind.in_(TRAJECTORY_KINDS), Artifact.run_id.is_not(None))
            .order_by(Artifact.id)
        ).all()
    out: dict[str, Path] = {}
    for run_id, rel in sorted(arts, key=lambda a: not str(a[1]).endswith("trajectories.npz")):
        if run_id in out or not str(rel).endswith(".npz"):
            continue
        path = resolve_within(glimpse_home(), rel)
        if path.exists() and any(k.startswith("feat_") for k in _npz_keys(path)):
            out[run_id] = path
    return out


def _npz_keys(path: Path) -> list[str]:
    with np.load(path, allow_pickle=False) as data:
        return list(data.files)


def trajectory_runs(clip_id: int | None = None) -> list[str]:
    """Runs that stored per-frame features (optionally: holding this clip)."""
    files = _trajectory_files()
    if clip_id is None:
        return list(files)
    return [r for r, path in files.items() if f"feat_{clip_id}" in _npz_keys(path)]


def trajectory_clips(run_id: str) -> list[int]:
    """Clip ids that a run's trajectories.npz holds."""
    keys = _npz_keys(_features_path(run_id))
    return sorted(int(k.removeprefix("feat_")) for k in keys if k.startswith("feat_"))


def _features_path(run_id: str) -> Path:
    path = _trajectory_files().get(run_id)
    if path is None:
        raise GlimpseError(f"run {run_id} stored no per-frame features", hint="pick a stage-3 run")
    return path


def trajectories(run_id: str, clip_id: int) -> dict[str, Any]:
    """Per-frame features (T, D), their 2-D PCA path, class scores (T, C) and frame numbers of a clip."""
    from sklearn.decomposition import PCA

    path = _features_path(run_id)
    with np.load(path, allow_pickle=False) as data:
        key = f"feat_{clip_id}"
        if key not in data.files:
            raise GlimpseError(f"run {run_id} has no features for clip {clip_id}", where=str(path))
        features = np.asarray(data[key], dtype=np.float32)
        scores = np.asarray(data[f"scores_{clip_id}"]) if f"scores_{clip_id}" in data.files else None
        frames = (
            data[f"frames_{clip_id}"].tolist()
            if f"frames_{clip_id}" in data.files
            else list(range(len(features)))
        )
        score_labels = data["labels"].tolist() if "labels" in data.files else list(LABELS_ME)
    n_comp = min(2, *features.shape)
    path2d = (
        PCA(n_components=n_comp).fit_transform(features)
        if len(features) >= 2
        else np.zeros((len(features), 2))
    )
    if path2d.shape[1] < 2:
        path2d = np.pad(path2d, ((0, 0), (0, 2 - path2d.shape[1])))
    return {
        "features": features,
        "pca": path2d,
        "scores": scores,
        "frames": [int(f) for f in frames],
        "score_labels": score_labels,
    }
