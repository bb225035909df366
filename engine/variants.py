"""The variant plug-in API: what an ablation compares, and how anyone adds a method to it.

A **variant** is a name, what it needs, and two top-level (picklable) functions:

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

Register with the decorator on the prepare function::

    @register_variant("lbptop", run_fold=run_lbptop_fold, description="LBP-TOP + SVM")
    def prepare_lbptop(context: VariantContext) -> PreparedFeatures: ...

``datasets`` says which dataset roles a run reads (``me`` always; ``faces`` and ``macro`` for encoder
stages), ``stages`` which encoder stages it trains, in order (``engine.train.stages``).

This module is the registry, below ``engine.train`` and ``engine.baselines`` which both add to it;
``engine.train``'s package ``__init__`` imports every module that registers a variant (its encoder
variants and ``engine.baselines``), so ``VARIANTS`` is complete for whoever imported ``engine.train``.
``glimpse train`` / ``glimpse ablation`` and the pages list ``variant_names()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import GlimpseError
from engine.progress import Reporter
from engine.registry import Registry


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


DATASET_ROLES = ("me", "faces", "macro")

Prepare = Callable[[VariantContext], Any]
RunFold = Callable[[Any, FoldSpec], FoldResult]


@dataclass(frozen=True)
class Variant:
    name: str
    prepare: Prepare
    run_fold: RunFold
    description: str = ""
    datasets: tuple[str, ...] = ("me",)  # dataset roles it reads (DATASET_ROLES)
    stages: tuple[str, ...] = ()  # encoder stages it trains, in order (engine.train.stages.STAGE_NEEDS)
    audit: bool = False  # a deliberately FLAWED protocol, run only to measure its inflation (never a result)


VARIANTS: Registry[Variant] = Registry("variant")

# how a trainable model's epoch is chosen in each fold. "test_subject_oracle" is the selection the
# strongest public ME codes (HTNet, CausalNet) use — best epoch by accuracy on the held-out TEST subject —
# offered only to measure how much it inflates UF1/UAR (an audit), never to report a result
LEAKAGE_SAFE = "leakage_safe"
TEST_SUBJECT_ORACLE = "test_subject_oracle"
SELECTIONS = (LEAKAGE_SAFE, TEST_SUBJECT_ORACLE)
FLAWED_LABEL = "test_subject_oracle (FLAWED — audit only)"


def check_selection(selection: str) -> None:
    if selection not in SELECTIONS:
        raise GlimpseError(
            f"unknown epoch selection {selection!r}", hint=f"use one of {', '.join(SELECTIONS)}"
        )


AUDIT_BADGE = "AUDIT — FLAWED"  # how pages and reports label an audit variant's runs


def register_variant(
    name: str,
    *,
    run_fold: RunFold,
    description: str = "",
    datasets: tuple[str, ...] = ("me",),
    stages: tuple[str, ...] = (),
    audit: bool = False,
) -> Callable[[Prepare], Prepare]:
    """Register the decorated ``prepare`` function, with ``run_fold``, as variant ``name``."""
    unknown = sorted(set(datasets) - set(DATASET_ROLES))
    if unknown:
        raise ValueError(f"variant {name!r}: unknown dataset role(s) {unknown}; use {DATASET_ROLES}")

    def decorate(prepare: Prepare) -> Prepare:
        VARIANTS.add(
            name, Variant(name, prepare, run_fold, description, tuple(datasets), tuple(stages), audit)
        )
        return prepare

    return decorate


def get_variant(name: str) -> Variant:
    return VARIANTS.get_or_fail(name)


def variant_names() -> list[str]:
    """Every registered variant, in registration order (encoder variants first, then baselines)."""
    return VARIANTS.names()


def encoder_variant_names() -> tuple[str, ...]:
    """The variants that train an encoder (the paper's FIR/ER/MIXT/FULL): what an ablation runs by
    default."""
    return tuple(v.name for v in VARIANTS.values() if v.stages)
