"""Leave-one-subject-out: one pure-data FoldSpec per subject, run through the configured executor."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np

from engine.errors import GlimpseError
from engine.jobs.executors import get_executor
from engine.progress import NullReporter, Reporter
from engine.train.runtime import check_cancel
from engine.train.variants import ClipInfo, FoldResult, FoldSpec, get_variant


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


def run_fold_by_name(variant_name: str, prepared: Any, spec: FoldSpec) -> FoldResult:
    """Top-level (picklable) fold task: look the variant up in the worker process and run the fold."""
    return get_variant(variant_name).run_fold(prepared, spec)


def run_folds(
    variant_name: str, prepared: Any, specs: Sequence[FoldSpec], reporter: Reporter | None = None
) -> list[FoldResult]:
    """All folds through the executor (local in-process, or Ray tasks); progress and
    cancellation are seen between folds (the executor also checks between its tasks)."""
    reporter = reporter or NullReporter()
    fn = partial(run_fold_by_name, variant_name, prepared)
    check_cancel(reporter)
    results = get_executor().map(fn, list(specs), reporter=reporter)
    reporter.progress(1.0, f"{len(results)} folds done")
    return results
