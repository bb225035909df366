"""What a variant receives and returns, as plain picklable data (see the package docstring): the
clips, one LOSO fold's split, a fold's predictions, and the context ``prepare`` runs in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine.progress import Reporter


@dataclass(frozen=True)
class ClipInfo:
    """One labelled ME clip as plain data (what folds and features are keyed by)."""

    clip_id: int
    name: str
    subject: str  # "<dataset>/<subject code>", unique across datasets
    dataset: str
    label: str
    # the (onset, apex, offset) a label source other than the release's marks (None inside = not coded);
    # None = the clip's own coding, so the release's runs read exactly what they always read
    marks: tuple[int | None, int | None, int | None] | None = None


@dataclass(frozen=True)
class FoldSpec:
    """One LOSO fold, pure data: which clips train, which test (one subject), optional validation."""

    index: int
    test_subject: str
    train_clip_ids: tuple[int, ...]
    train_labels: tuple[str, ...]  # truth of the training clips, aligned with train_clip_ids
    test_clip_ids: tuple[int, ...]
    test_labels: tuple[str, ...]  # returned as FoldResult.truth only; never used for training/selection
    seed: int
    labels: tuple[str, ...]
    val_clip_ids: tuple[int, ...] = ()  # a subset of train_clip_ids (whole training subjects)


@dataclass
class FoldResult:
    """What a fold predicts for its held-out subject; probs rows follow ``labels``."""

    test_subject: str
    clip_ids: list[int]
    truth: list[str]
    predicted: list[str]
    probs: np.ndarray  # (n_clips, n_labels)
    labels: tuple[str, ...]
    # optional, per test clip id: (T, D) per-frame features, (T, C) per-frame class probabilities,
    # (T,) the frame numbers the T steps came from
    frame_features: dict[int, np.ndarray] = field(default_factory=dict)
    frame_scores: dict[int, np.ndarray] = field(default_factory=dict)
    frame_numbers: dict[int, np.ndarray] = field(default_factory=dict)


@dataclass
class VariantContext:
    """Everything ``prepare`` may use. ``config`` is the AblationConfig (encoder + sequence settings)."""

    variant: str
    seed: int
    db_url: str
    clips: list[ClipInfo]
    run_dir: Path
    device: str
    config: Any  # engine.train.config.AblationConfig
    reporter: Reporter | None = None
    extras: dict[str, Any] = field(default_factory=dict)  # filled by prepare: e.g. artifacts to record


Prepare = Callable[[VariantContext], Any]
RunFold = Callable[[Any, FoldSpec], FoldResult]
