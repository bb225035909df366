"""Compare: variants side by side — spread over seeds, per-class F1 against FULL, paired tests.

For an ablation, every statistic was computed once when it ended and written as its ``comparison``
artefact; this module reads that document back (by artefact kind). Only runs no document covers (a
baseline picked beside an ablation, stand-alone runs) are summarised here, by ``engine.evaluate``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from db import queries
from db.schema import Run
from engine.api.results import RunInfo, run_info_of
from engine.api.session import get_session
from engine.errors import GlimpseError
from engine.evaluate.comparison import (
    COMPARISON_KIND,
    REFERENCE,
    SUMMARY_COLUMNS,
    SUMMARY_METRICS,
    class_f1_means,
    deltas_vs,
    paired_by_seed,
    paired_rows,
    read_comparison,
    spread_rows,
    summary_rows,
)
from engine.paths import glimpse_home, resolve_within

PAIRED_COLUMNS = ["comparison", "test", "n", "mean_diff", "t", "p_t", "w", "p_wilcoxon", "note"]


@dataclass(frozen=True)
class Comparison:
    """What the Compare page shows; the tables are DataFrames because the page shows them as tables."""

    variants: tuple[str, ...]  # groups in display order (an ablation's own order first)
    runs: Mapping[str, str]  # run id → its group (a variant; a run picked beside an ablation keeps its own)
    summary: pd.DataFrame  # SUMMARY_COLUMNS: mean / sd / 95% CI over seeds per group and metric
    class_f1: pd.DataFrame  # rows = groups, columns = classes: mean per-class F1
    deltas_vs_reference: pd.DataFrame  # class_f1 minus the reference's row
    reference: str
    paired: pd.DataFrame  # PAIRED_COLUMNS: reference vs each group
    chance: Mapping[str, float] | None  # UF1/UAR of uniform and majority predictors
    document: Mapping[str, Any] | None  # the ablation's comparison artefact as written
    synthetic: bool


def comparison_document(ablation_id: str) -> dict[str, Any] | None:
    """The comparison an ablation wrote when it ended (None while it runs, or if it failed)."""
    with get_session() as session:
        arts = queries.artifacts_of_kind(session, [COMPARISON_KIND], run_id=ablation_id)
    if not arts:
        return None
    return read_comparison(resolve_within(glimpse_home(), arts[-1].path))


def paired_tests(ablation_id: str) -> pd.DataFrame:
    """The paired tests (reference vs each variant, by seed and by fold) the ablation wrote: a table."""
    document = comparison_document(ablation_id)
    return pd.DataFrame(paired_rows(document) if document else [], columns=PAIRED_COLUMNS)


def _chosen(run_ids: Sequence[str], ablation_id: str | None) -> tuple[list[RunInfo], set[str]]:
    """The ablation's children, then the picked runs not among them (unknown ids are skipped)."""
    with get_session() as session:
        runs = queries.child_runs(session, ablation_id) if ablation_id else []
        in_ablation = {r.id for r in runs}
        picked = (session.get(Run, run_id) for run_id in dict.fromkeys(run_ids))
        runs += [r for r in picked if r is not None and r.id not in in_ablation]
        return [run_info_of(r) for r in runs], in_ablation


def compare(run_ids: Sequence[str] | None = None, ablation_id: str | None = None) -> Comparison:
    """Variants side by side: an ablation's children grouped by variant (seeds pooled) plus picked runs."""
    chosen, in_ablation = _chosen(list(run_ids or []), ablation_id)
    if not chosen:
        raise GlimpseError("no runs to compare", hint="pick an ablation or some runs")
    group = {
        r.id: r.arm + ("" if not ablation_id or r.id in in_ablation else f" · {r.id[-6:]}") for r in chosen
    }
    document = comparison_document(ablation_id) if ablation_id else None
    written = [v for v in (document or {}).get("variants", {}) if v in set(group.values())]
    variants = tuple(dict.fromkeys([*written, *group.values()]))
    with get_session() as session:
        rows = queries.run_metrics(session, list(group))
    metrics = pd.DataFrame(rows, columns=["run_id", "scope", "name", "value"])
    metrics["group"] = metrics.run_id.map(group)

    overall = metrics[metrics.scope == "overall"]
    others = [v for v in variants if v not in written]
    values = {
        g: {m: overall[(overall.group == g) & (overall.name == m)].value.tolist() for m in SUMMARY_METRICS}
        for g in others
    }
    summary = pd.DataFrame(
        summary_rows(document, written) + spread_rows(values) if document else spread_rows(values),
        columns=SUMMARY_COLUMNS,
    )
    reference = str((document or {}).get("reference", REFERENCE))
    if document and document.get("paired"):
        paired = paired_rows(document)
    else:
        seeds = {r.id: r.seed or 0 for r in chosen}
        uf1 = overall[overall.name == "uf1"]
        by_seed: dict[str, dict[int, float]] = {}
        for run_id, value in zip(uf1.run_id, uf1.value, strict=True):
            by_seed.setdefault(group[run_id], {})[seeds[run_id]] = float(value)
        paired = paired_by_seed(by_seed, "uf1", reference)
    class_f1 = class_f1_means(metrics, variants)
    return Comparison(
        variants=variants,
        runs=group,
        summary=summary,
        class_f1=class_f1,
        deltas_vs_reference=deltas_vs(class_f1, reference),
        reference=reference,
        paired=pd.DataFrame(paired, columns=PAIRED_COLUMNS),
        chance=(document or {}).get("chance"),
        document=document,
        synthetic=any(r.synthetic for r in chosen),
    )
