"""Label sources for the pages and the CLI: which codings exist, and a finished run re-scored against
any of them (``glimpse evaluate RUN --labels``; Results / Compare side by side).

A re-score is computed on read, never stored: the run's predictions are fixed, but a coding can still
change (coders save new versions, a consensus is revised), and a stored figure would silently go stale.
Reading it again is cheap (a few hundred rows), and the result says which coding and how many clips.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from db import queries
from engine.annotate.sources import (
    ANNOTATOR_PREFIX,
    CONSENSUS,
    MAJORITY,
    SOURCE,
    canonical,
    coded_truth,
)
from engine.api.access import CODER, Actor, current
from engine.api.results import run_info
from engine.api.session import get_session
from engine.errors import GlimpseError, NotAllowed
from engine.evaluate.rescore import Rescored, rescore
from engine.labels import LABELS_ME

RESCORE_COLUMNS = ["run", "arm", "trained_on", "scored_against", "clips", "uf1", "uar", "accuracy", "ties"]


@dataclass(frozen=True)
class RunScore:
    """One run's stored predictions scored against one coding."""

    run_id: str
    arm: str  # what a comparison calls the run (variant, or variant@labels)
    trained_on: str  # the label source the run learned from
    scored_against: str  # the label source its predictions are scored against here
    n_predicted: int
    n_scored: int
    ties: int  # majority ties left out
    uf1: float | None
    uar: float | None
    accuracy: float | None
    truth: Mapping[int, str]  # clip id → the coding's label (the scored clips)
    synthetic: bool

    @property
    def coverage(self) -> str:
        return f"{self.n_scored} of {self.n_predicted} clips"

    def sentence(self) -> str:
        """One line a reader can quote (SYNTHETIC said when it is)."""
        figures = "no clip scored" if self.uf1 is None else f"UF1 {self.uf1:.3f}  UAR {self.uar:.3f}"
        tie = f", {self.ties} tie(s) left out" if self.ties else ""
        return (
            f"run {self.run_id} ({self.arm}, trained on {self.trained_on}) scored against "
            f"{self.scored_against}: {figures} on {self.coverage}{tie}"
            + (" [SYNTHETIC]" if self.synthetic else "")
        )


def label_sources(dataset: str | None = None) -> list[str]:
    """The label sources that exist (of one dataset, or anywhere): ``source``, ``consensus`` once one was
    saved, ``majority`` once anyone coded, and ``annotator:NAME`` per coder."""
    with get_session() as session:
        names = (
            {a.annotator for a in queries.annotations_of(session, dataset)}
            if dataset
            else set(queries.annotator_names(session))
        )
    coders = sorted(names - {SOURCE, CONSENSUS})
    return (
        [SOURCE]
        + ([CONSENSUS] if CONSENSUS in names else [])
        + ([MAJORITY] if coders else [])
        + [f"{ANNOTATOR_PREFIX}{name}" for name in coders]
    )


def rescore_run(viewer: Actor, run_id: str, labels: str) -> RunScore:
    """A finished run's stored predictions scored against the coding ``labels`` (only the clips it
    labels), for ``viewer``; the run itself is not touched. The score carries each clip's label of that
    coding (and ``majority`` reads every coder's), so a coder — whose codings stay blind — is refused
    (NotAllowed)."""
    info = run_info(run_id)
    labels = canonical(labels)
    with get_session() as session:
        fresh = current(session, viewer)
        if fresh.role == CODER:
            raise NotAllowed(
                f"{fresh.name} (coder) may not re-score runs against the codings",
                hint="the coders' codings stay blind; a researcher re-scores",
            )
        stored = queries.predictions_of(session, run_id)
        if not stored:
            raise GlimpseError(
                f"run {run_id} has no stored predictions",
                hint="pick a finished train run or an ablation's child run",
            )
        predicted = {p.clip_id: p.predicted for p in stored}
        resolved = coded_truth(session, list(predicted), labels, LABELS_ME)
    truth = {cid: lab.label for cid, lab in resolved.labels.items()}
    scored: Rescored = rescore(predicted, truth, LABELS_ME)
    report = scored.report
    return RunScore(
        run_id=run_id,
        arm=info.arm,
        trained_on=info.labels,
        scored_against=labels,
        n_predicted=scored.n_predicted,
        n_scored=scored.n_scored,
        ties=len(resolved.ties),
        uf1=None if report is None else report.uf1,
        uar=None if report is None else report.uar,
        accuracy=None if report is None else report.accuracy,
        truth=dict(zip(scored.clip_ids, scored.truth, strict=True)),
        synthetic=info.synthetic,
    )


def rescore_table(viewer: Actor, run_ids: Sequence[str], labels: Sequence[str]) -> pd.DataFrame:
    """Runs × codings side by side (one row each): how much of the metric is the coder."""
    rows = []
    for run_id in run_ids:
        for source in labels:
            score = rescore_run(viewer, run_id, source)
            rows.append(
                {
                    "run": run_id,
                    "arm": score.arm,
                    "trained_on": score.trained_on,
                    "scored_against": score.scored_against,
                    "clips": score.coverage,
                    "uf1": score.uf1,
                    "uar": score.uar,
                    "accuracy": score.accuracy,
                    "ties": score.ties,
                }
            )
    return pd.DataFrame(rows, columns=RESCORE_COLUMNS)
