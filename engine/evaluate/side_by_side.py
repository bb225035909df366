"""Groups of runs side by side — what the Compare page and ``api.compare`` show.

An ablation's children are grouped by variant (its seeds pooled); a run picked beside an ablation
keeps a group of its own. For the ablation's variants the figures are the ones its ``comparison``
document holds (written when it ended); any other group is summarised from its stored metrics by the
same functions. Every paired test shown is Holm-corrected over the whole table, each comparison gets
one sentence (``verdicts``) and each group's confusion matrix is pooled over its seeds (per seed too).
The catalog reads happen in ``engine.api.comparison``; this module only computes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from engine.errors import GlimpseError
from engine.evaluate.comparison import (
    REFERENCE,
    SUMMARY_COLUMNS,
    SUMMARY_METRICS,
    class_f1_means,
    deltas_vs,
    document_values,
    paired_by_seed,
    paired_rows,
    spread_rows,
)
from engine.evaluate.metrics import compute_metrics, labels_of
from engine.evaluate.verdicts import CORRECTION, ChanceLevels, Verdict, verdict, with_holm

PAIRED_COLUMNS = [
    "comparison", "test", "n", "mean_diff", "t", "p_t", "p_t_holm", "w", "p_wilcoxon", "p_wilcoxon_holm",
    "note",
]  # fmt: skip


@dataclass(frozen=True)
class ComparedRun:
    """One run as the comparison needs it."""

    id: str
    arm: str  # the variant, or ``variant@labels`` on another label source (engine.train.ablation.arm_name)
    seed: int | None
    synthetic: bool
    in_ablation: bool  # a child of the compared ablation (else picked beside it)

    @property
    def group(self) -> str:
        """Its column: the arm; a run picked beside an ablation gets its id's tail too."""
        return self.arm if self.in_ablation else f"{self.arm} · {self.id[-6:]}"


@dataclass(frozen=True)
class GroupConfusion:
    """A group's confusion matrix summed over its runs (seeds), and each run's own."""

    group: str
    labels: tuple[str, ...]  # rows/columns, rows = truth
    pooled: np.ndarray
    by_seed: Mapping[int, np.ndarray]  # seed → that run's matrix
    runs: Mapping[int, str]  # seed → run id (the clips behind a cell)


@dataclass(frozen=True)
class Comparison:
    """What the Compare page shows; the tables are DataFrames because the page shows them as tables."""

    variants: tuple[str, ...]  # groups in display order (an ablation's own order first)
    runs: Mapping[str, str]  # run id → its group
    summary: pd.DataFrame  # SUMMARY_COLUMNS: mean / sd / 95% CI over seeds per group and metric
    class_f1: pd.DataFrame  # rows = groups, columns = classes: mean per-class F1
    deltas_vs_reference: pd.DataFrame  # class_f1 minus the reference's row
    reference: str
    paired: pd.DataFrame  # PAIRED_COLUMNS: reference vs each group, raw and Holm-adjusted p
    correction: str  # how ``paired`` was corrected, in words
    verdicts: tuple[Verdict, ...]  # one per group other than the reference
    chance: ChanceLevels | None  # UF1/UAR of uniform and majority predictors
    confusions: Mapping[str, GroupConfusion]  # group → pooled (and per-seed) matrices
    document: Mapping[str, Any] | None  # the ablation's comparison artefact as written
    synthetic: bool


def paired_table(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Paired-test rows as the table the page shows: Holm-adjusted p beside the raw ones."""
    return pd.DataFrame(with_holm(rows), columns=PAIRED_COLUMNS)


def _correction(paired: pd.DataFrame) -> str:
    m = int(paired.p_t.notna().sum()) if not paired.empty else 0
    if m == 0:
        return "no paired test to correct"
    return (
        f"p-values {CORRECTION}-corrected over the {m} paired t-test{'s' if m != 1 else ''} shown "
        "(and separately over the Wilcoxon tests), holding the family-wise error rate at 5%"
    )


def _confusions(
    runs: Sequence[ComparedRun], predictions: Mapping[str, Sequence[tuple[str, str]]]
) -> dict[str, GroupConfusion]:
    labels = labels_of([v for pairs in predictions.values() for pair in pairs for v in pair])
    out: dict[str, GroupConfusion] = {}
    for group in dict.fromkeys(r.group for r in runs):
        mine = sorted((r for r in runs if r.group == group), key=lambda r: (r.seed is None, r.seed or 0))
        by_seed: dict[int, np.ndarray] = {}
        ids: dict[int, str] = {}
        for r in mine:
            pairs = list(predictions.get(r.id, ()))
            seed = r.seed if r.seed is not None else len(by_seed)
            by_seed[seed] = compute_metrics([t for t, _ in pairs], [p for _, p in pairs], labels).confusion
            ids[seed] = r.id
        pooled = np.sum(list(by_seed.values()), axis=0) if by_seed else np.zeros((len(labels),) * 2, int)
        out[group] = GroupConfusion(group, labels, pooled, by_seed, ids)
    return out


def build_comparison(
    runs: Sequence[ComparedRun],
    metrics: pd.DataFrame,
    document: Mapping[str, Any] | None,
    predictions: Mapping[str, Sequence[tuple[str, str]]],
) -> Comparison:
    """The comparison of ``runs``: ``metrics`` are their catalog rows (run_id, scope, name, value),
    ``document`` the ablation's written comparison (None without one), ``predictions`` each run's
    (truth, predicted) pairs."""
    if not runs:
        raise GlimpseError("no runs to compare", hint="pick an ablation or some runs")
    group = {r.id: r.group for r in runs}
    written = [v for v in (document or {}).get("variants", {}) if v in set(group.values())]
    variants = tuple(dict.fromkeys([*written, *group.values()]))
    metrics = metrics.assign(group=metrics.run_id.map(group))
    overall = metrics[metrics.scope == "overall"]
    others = [v for v in variants if v not in written]
    values = {
        g: {m: overall[(overall.group == g) & (overall.name == m)].value.tolist() for m in SUMMARY_METRICS}
        for g in others
    }
    if document:
        values = {**document_values(document, written), **values}
    summary = pd.DataFrame(spread_rows(values), columns=SUMMARY_COLUMNS)
    reference = str((document or {}).get("reference", REFERENCE))

    seeds = {r.id: r.seed or 0 for r in runs}
    by_seed: dict[str, dict[int, float]] = {}
    uf1 = overall[overall.name == "uf1"]
    for run_id, value in zip(uf1.run_id, uf1.value, strict=True):
        by_seed.setdefault(group[run_id], {})[seeds[run_id]] = float(value)
    if document:  # the ablation's own variants: the seeds and figures it wrote
        for v in written:
            row = document["variants"][v]
            by_seed[v] = dict(zip(row.get("seeds", []), row.get("uf1", []), strict=False))
    rows = paired_rows(document) if document and document.get("paired") else []
    tested = {r["comparison"] for r in rows}
    rows += [
        r for r in paired_by_seed(by_seed, "uf1", reference) if r["comparison"] not in tested
    ]  # groups the document does not cover (runs picked beside the ablation)
    holm_rows = with_holm(rows)
    paired = pd.DataFrame(holm_rows, columns=PAIRED_COLUMNS)
    means = {g: float(np.mean(v["uf1"])) for g, v in values.items() if v.get("uf1")}
    verdicts = tuple(
        verdict(reference, g, by_seed, holm_rows, means)
        for g in variants
        if g != reference and reference in variants
    )
    class_f1 = class_f1_means(metrics, variants)
    return Comparison(
        variants=variants,
        runs=group,
        summary=summary,
        class_f1=class_f1,
        deltas_vs_reference=deltas_vs(class_f1, reference),
        reference=reference,
        paired=paired,
        correction=_correction(paired),
        verdicts=verdicts,
        chance=ChanceLevels.from_mapping((document or {}).get("chance")),
        confusions=_confusions(runs, predictions),
        document=document,
        synthetic=any(r.synthetic for r in runs),
    )
