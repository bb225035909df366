"""The variant plug-in API: what an ablation compares, and how anyone adds a method to it.

A **variant** is a name plus two top-level (picklable) functions:

``prepare(context: VariantContext) -> prepared``
    Runs ONCE per (variant, seed), in the calling process, with catalog access (``context.db_url``).
    FIR/ER/MIXT/FULL train their encoder here, save it under ``context.run_dir / "encoder.pt"`` and
    compute + cache per-frame features of every ME clip. A baseline computes its own features. Return
    plain, picklable data (paths, numbers, dicts, numpy arrays) – it is shipped to every fold, possibly
    on another machine (Ray), so no sessions, open files or models bound to a device.

``run_fold(prepared, spec: FoldSpec) -> FoldResult``
    Trains on ``spec.train_clip_ids`` and predicts ``spec.test_clip_ids`` (the held-out subject). It must
    never look at the test clips' labels for anything but the returned ``truth``: no early stopping, no
    epoch or model selection on them (use ``spec.val_clip_ids``, drawn from TRAINING subjects only).

Register with ``register_variant(Variant("name", prepare, run_fold))``; ``get_variant(name)`` looks it up
(importing ``engine.baselines.variants`` lazily, so "lbptop"/"flowcnn" appear when that module exists).
``glimpse train`` and ``glimpse ablation`` accept any registered name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import GlimpseError
from engine.progress import Reporter


@dataclass(frozen=True)
class ClipInfo:
    """One labelled ME clip as plain data (what folds and features are keyed by)."""

    clip_id: int
    name: str
    subject: str  # "<dataset>/<subject code>", unique across datasets
    dataset: str
    label: str


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


@dataclass(frozen=True)
class Variant:
    name: str
    prepare: Callable[[VariantContext], Any]
    run_fold: Callable[[Any, FoldSpec], FoldResult]
    description: str = ""
    audit: bool = False  # a deliberately FLAWED protocol, run only to measure its inflation (never a result)


VARIANTS: dict[str, Variant] = {}


def register_variant(variant: Variant) -> Variant:
    VARIANTS[variant.name] = variant
    return variant


def _load_plugins() -> None:
    import engine.train.encoder_variants  # noqa: F401  (registers fir, er, mixt, full)

    try:
        import engine.baselines.variants  # noqa: F401  (registers lbptop, flowcnn)
    except ModuleNotFoundError as error:  # not written yet; a bug inside it must still surface
        if error.name not in ("engine.baselines.variants", "engine.baselines"):
            raise


def get_variant(name: str) -> Variant:
    _load_plugins()
    if name not in VARIANTS:
        raise GlimpseError(f"unknown variant {name!r}", hint=f"known: {', '.join(sorted(VARIANTS))}")
    return VARIANTS[name]


def variant_names() -> list[str]:
    _load_plugins()
    return sorted(VARIANTS)
