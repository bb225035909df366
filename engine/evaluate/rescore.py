"""Re-scoring a finished run against another coding, without retraining and without changing it.

A run's stored predictions (clip → predicted class) are scored against the truth another label source
gives the same clips. Only the clips that coding labels count; how many were scored out of how many the
run predicted is part of the result, so a figure on 40 of 250 clips is never read as the run's UF1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.evaluate.metrics import MetricReport, compute_metrics


@dataclass(frozen=True)
class Rescored:
    """A run's predictions scored against one coding: the truth it used, clip by clip, and the metrics."""

    n_predicted: int  # clips the run predicted
    clip_ids: tuple[int, ...]  # the clips scored (those the coding labels), in clip order
    truth: tuple[str, ...]  # the coding's label of each scored clip
    predicted: tuple[str, ...]  # the run's prediction of each scored clip
    report: MetricReport | None  # None when the coding labels none of the run's clips

    @property
    def n_scored(self) -> int:
        return len(self.clip_ids)

    @property
    def coverage(self) -> str:
        """'10 of 12 clips': what the figures stand on."""
        return f"{self.n_scored} of {self.n_predicted} clips"


def rescore(predicted: Mapping[int, str], truth: Mapping[int, str], labels: Sequence[str]) -> Rescored:
    """Score ``predicted`` (clip → class) against ``truth`` (clip → class) on the clips both have."""
    ids = tuple(sorted(set(predicted) & set(truth)))
    true = tuple(truth[c] for c in ids)
    pred = tuple(predicted[c] for c in ids)
    report = compute_metrics(list(true), list(pred), labels) if ids else None
    return Rescored(len(predicted), ids, true, pred, report)
