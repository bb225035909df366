"""Leave-one-subject-out spotting: each subject's videos are spotted by a method fitted on the others.

Folds are independent, so they go through the injected executor (local, or one Ray task per fold);
``run_fold`` is a top-level function of plain data, as the executor requires.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from engine.errors import GlimpseError
from engine.local_executor import Executor, LocalExecutor
from engine.progress import NullReporter, Reporter
from engine.spotting.config import SpotConfig
from engine.spotting.intervals import Interval
from engine.spotting.metrics import SpotReport, evaluate_spotting
from engine.spotting.registry import get_spotter
from engine.spotting.signals import VideoSignals


@dataclass(frozen=True)
class FoldOutput:
    subject: str
    predictions: tuple[Interval, ...]
    params: dict[str, Any]  # what the method chose on the training subjects (JSON-able)
    curves: dict[str, np.ndarray] = field(repr=False)  # video → the method's per-frame score


@dataclass(frozen=True)
class SpotResult:
    config: SpotConfig
    folds: tuple[FoldOutput, ...]
    report: SpotReport

    @property
    def predictions(self) -> list[Interval]:
        return [i for f in self.folds for i in f.predictions]

    @property
    def curves(self) -> dict[str, np.ndarray]:
        return {v: c for f in self.folds for v, c in f.curves.items()}


def _plain(value: Any) -> Any:
    """The JSON-able part of a fitted state (numbers, names), without models."""
    if isinstance(value, dict):
        return {
            k: _plain(v) for k, v in value.items() if isinstance(v, dict | int | float | str | type(None))
        }
    return value


def run_fold(subject: str, videos: Sequence[VideoSignals], config: SpotConfig) -> FoldOutput:
    """Fit on every subject but ``subject``; spot ``subject``'s videos."""
    train = [v for v in videos if v.subject != subject]
    test = [v for v in videos if v.subject == subject]
    spotter = get_spotter(config)
    fitted = spotter.fit(train)
    predictions = tuple(i for v in test for i in spotter.predict(fitted, v))
    curves = {v.video: spotter.curve(fitted, v) for v in test}
    return FoldOutput(subject, predictions, _plain(fitted), curves)


def spot_loso(
    videos: Sequence[VideoSignals],
    config: SpotConfig,
    executor: Executor | None = None,
    reporter: Reporter | None = None,
) -> SpotResult:
    """LOSO over the videos' subjects; the pooled MEGC report of all folds' predictions."""
    subjects = sorted({v.subject for v in videos})
    if len(subjects) < 2:
        raise GlimpseError(
            f"spotting needs videos of at least 2 subjects for leave-one-subject-out, got {len(subjects)}",
            hint="thresholds are chosen on training subjects only",
        )
    get_spotter(config)  # an unknown method fails here, before any task starts
    executor = executor or LocalExecutor()
    folds = executor.map(
        partial(run_fold, videos=list(videos), config=config), subjects, reporter=reporter or NullReporter()
    )
    truth = [t for v in videos for t in v.truth]
    predictions = [i for f in folds for i in f.predictions]
    return SpotResult(config, tuple(folds), evaluate_spotting(truth, predictions))
