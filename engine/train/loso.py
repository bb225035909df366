"""Folds as pure-data FoldSpecs – leave-one-subject-out (one per subject) or one cross-dataset fold –
run through the executor the caller passes in (in-process by default)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np

from engine.errors import GlimpseError
from engine.local_executor import Executor, LocalExecutor
from engine.progress import NullReporter, Reporter, check_cancel
from engine.train.config import RuntimeConfig
from engine.train.runtime import applied_runtime
from engine.variants.contract import ClipInfo, FoldResult, FoldSpec
from engine.variants.registry import Variant


def build_folds(
    clips: Sequence[ClipInfo], labels: Sequence[str], seed: int = 0, val_subjects: float = 0.0
) -> list[FoldSpec]:
    """One fold per subject, in subject order. Validation subjects (for epoch selection) are drawn from
    the fold's TRAINING subjects only, deterministically from (seed, fold index)."""
    subjects = sorted({c.subject for c in clips})
    if len(subjects) < 2:
        raise GlimpseError(
            f"LOSO needs at least 2 subjects, found {len(subjects)}", hint="add clips of more subjects"
        )
    folds = []
    for index, subject in enumerate(subjects):
        train = [c for c in clips if c.subject != subject]
        test = [c for c in clips if c.subject == subject]
        val_ids: tuple[int, ...] = ()
        others = sorted({c.subject for c in train})
        n_val = int(math.floor(val_subjects * len(others)))
        if n_val:
            rng = np.random.default_rng([seed, index])
            chosen = set(rng.choice(others, n_val, replace=False).tolist())
            val_ids = tuple(c.clip_id for c in train if c.subject in chosen)
        folds.append(
            FoldSpec(
                index=index,
                test_subject=subject,
                train_clip_ids=tuple(c.clip_id for c in train),
                train_labels=tuple(c.label for c in train),
                test_clip_ids=tuple(c.clip_id for c in test),
                test_labels=tuple(c.label for c in test),
                seed=seed,
                labels=tuple(labels),
                val_clip_ids=val_ids,
            )
        )
    return folds


def build_cross_dataset_fold(
    train_clips: Sequence[ClipInfo],
    test_clips: Sequence[ClipInfo],
    labels: Sequence[str],
    seed: int = 0,
    val_subjects: float = 0.0,
) -> FoldSpec:
    """ONE fold: train on every clip of the training datasets, test on every clip of the test datasets.
    Validation subjects (if any) are drawn from the training clips' subjects only."""
    if not train_clips or not test_clips:
        side = "training" if not train_clips else "test"
        raise GlimpseError(
            f"cross-dataset evaluation found no labelled {side} clips",
            hint="check --train-dataset / --test-dataset: each needs clips labelled with the 3 ME classes",
        )
    shared = {c.clip_id for c in train_clips} & {c.clip_id for c in test_clips}
    if shared:
        raise GlimpseError(f"{len(shared)} clip(s) are on both the training and the test side")
    test_names = list(dict.fromkeys(c.dataset for c in test_clips))
    others = sorted({c.subject for c in train_clips})
    n_val = int(math.floor(val_subjects * len(others)))
    val_ids: tuple[int, ...] = ()
    if n_val:
        chosen = set(np.random.default_rng([seed, 0]).choice(others, n_val, replace=False).tolist())
        val_ids = tuple(c.clip_id for c in train_clips if c.subject in chosen)
    return FoldSpec(
        index=0,
        test_subject=f"cross:{'+'.join(test_names)}",
        train_clip_ids=tuple(c.clip_id for c in train_clips),
        train_labels=tuple(c.label for c in train_clips),
        test_clip_ids=tuple(c.clip_id for c in test_clips),
        test_labels=tuple(c.label for c in test_clips),
        seed=seed,
        labels=tuple(labels),
        val_clip_ids=val_ids,
    )


def protocol_folds(
    protocol: str,
    clips: Sequence[ClipInfo],
    labels: Sequence[str],
    seed: int = 0,
    val_subjects: float = 0.0,
    test_datasets: Sequence[str] = (),
) -> list[FoldSpec]:
    """The folds of an evaluation protocol over already selected clips (see ``data.protocol_clips``):
    ``loso``/``composite`` one fold per subject; ``cross_dataset`` one fold testing on ``test_datasets``."""
    if protocol in ("loso", "composite"):
        return build_folds(clips, labels, seed, val_subjects)
    if protocol == "cross_dataset":
        tests = set(test_datasets)
        train = [c for c in clips if c.dataset not in tests]
        test = [c for c in clips if c.dataset in tests]
        return [build_cross_dataset_fold(train, test, labels, seed, val_subjects)]
    raise GlimpseError(f"unknown protocol {protocol!r}", hint="use one of loso, composite, cross_dataset")


def run_fold_under(
    runtime: RuntimeConfig, run_fold: Callable[[Any, FoldSpec], FoldResult], prepared: Any, spec: FoldSpec
) -> FoldResult:
    """Top-level (picklable) fold task: the variant's fold under the run's numerics, which a Ray worker
    process (its own thread count and flags) would otherwise not have."""
    with applied_runtime(runtime):
        return run_fold(prepared, spec)


def run_folds(
    variant: Variant,
    prepared: Any,
    specs: Sequence[FoldSpec],
    reporter: Reporter | None = None,
    executor: Executor | None = None,
    runtime: RuntimeConfig | None = None,
) -> list[FoldResult]:
    """All folds through ``executor`` (in-process when None, or e.g. Ray tasks); progress and
    cancellation are seen between folds. Each task is the variant's top-level ``run_fold`` with the
    prepared data bound, so a remote process needs no registry lookup."""
    reporter = reporter or NullReporter()
    runtime = runtime or RuntimeConfig()
    fn = partial(run_fold_under, runtime, variant.run_fold, prepared)
    check_cancel(reporter)
    # each task runs on the run's own thread count (a pool worker is pinned to it, Ray reserves it)
    needs = {"num_cpus": runtime.threads}
    results = (executor or LocalExecutor()).map(fn, list(specs), resources=needs, reporter=reporter)
    reporter.progress(1.0, f"{len(results)} folds done")
    return results
