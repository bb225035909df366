"""Trajectories: the per-frame features stage-3 runs stored, as a 2-D path and class scores over time.

Which runs hold which clips is read from each run's file index (opened once per file and process,
see ``engine.evaluate.trajectories``); the page caches what it reads per (run, clip).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from db import queries
from engine.api.session import get_session
from engine.errors import GlimpseError
from engine.evaluate.trajectories import ClipTrajectory, clips_with_features, read_clip_trajectory
from engine.labels import LABELS_ME
from engine.paths import glimpse_home, resolve_within

TRAJECTORY_KINDS = ("features", "frame_scores")  # artefact kinds a trajectories.npz is stored under
TRAJECTORY_FILE = "trajectories.npz"


def _trajectory_files() -> dict[str, Path]:
    """run id → its trajectories file holding per-frame features (the ``trajectories.npz`` name preferred)."""
    with get_session() as session:
        arts = [(a.run_id, a.path) for a in queries.artifacts_of_kind(session, TRAJECTORY_KINDS)]
    out: dict[str, Path] = {}
    for run_id, rel in sorted(arts, key=lambda a: not str(a[1]).endswith(TRAJECTORY_FILE)):
        if run_id in out or not str(rel).endswith(".npz"):
            continue
        path = resolve_within(glimpse_home(), rel)
        if path.exists() and clips_with_features(path):
            out[str(run_id)] = path
    return out


def trajectory_index() -> dict[str, tuple[int, ...]]:
    """run id → the clip ids it stored per-frame features of (runs without any are left out)."""
    return {run_id: clips_with_features(path) for run_id, path in _trajectory_files().items()}


def trajectory_runs(clip_id: int | None = None) -> list[str]:
    """Runs that stored per-frame features (optionally: of this clip)."""
    return [r for r, clips in trajectory_index().items() if clip_id is None or int(clip_id) in clips]


def trajectory_clips(run_id: str) -> list[int]:
    """Clip ids that a run's trajectories file holds."""
    return list(clips_with_features(_features_path(run_id)))


def _features_path(run_id: str) -> Path:
    path = _trajectory_files().get(run_id)
    if path is None:
        raise GlimpseError(f"run {run_id} stored no per-frame features", hint="pick a stage-3 run")
    return path


def trajectories(run_id: str, clip_id: int) -> ClipTrajectory:
    """Per-frame features (T, D), their 2-D PCA path, class scores (T, C) and frame numbers of a clip."""
    path = _features_path(run_id)
    try:
        return read_clip_trajectory(path, int(clip_id), LABELS_ME)
    except GlimpseError as error:
        raise GlimpseError(f"run {run_id} has no features for clip {clip_id}", where=str(path)) from error


@dataclass(frozen=True)
class CodingMarks:
    """One annotator's onset / apex / offset of a clip (the release's coding is annotator ``source``)."""

    annotator: str
    onset: int | None
    apex: int | None
    offset: int | None

    @property
    def marks(self) -> dict[str, int | None]:
        return {"onset": self.onset, "apex": self.apex, "offset": self.offset}


def coding_marks(clip_id: int) -> tuple[CodingMarks, ...]:
    """Every coding of a clip that marks at least one of onset / apex / offset, the release's first."""
    with get_session() as session:
        rows = queries.annotations_for(session, int(clip_id))
        marks = (CodingMarks(a.annotator, a.onset, a.apex, a.offset) for a in rows)
        return tuple(m for m in marks if any(v is not None for v in m.marks.values()))
