"""Compare: variants side by side — spread over seeds, per-class F1 against FULL, paired tests with
the Holm correction, one verdict per comparison, confusion matrices pooled over seeds.

This module only reads: the ablation's children, the picked runs, their metrics and predictions, and
the ``comparison`` document the ablation wrote when it ended (found by artefact kind). Everything
computed from them is ``engine.evaluate.side_by_side``'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from db import queries
from db.schema import Run
from engine.api.results import cell_clips, run_info_of
from engine.api.session import get_session
from engine.evaluate.comparison import (
    COMPARISON_KIND,
    AblationComparison,
    MetricFigures,
    PairedFigures,
    VariantFigures,
    paired_rows,
    read_comparison,
)
from engine.evaluate.side_by_side import ComparedRun, Comparison, build_comparison, paired_table
from engine.paths import glimpse_home, resolve_within

METRIC_ROW = ["run_id", "scope", "name", "value"]  # what queries.run_metrics returns per row
__all__ = [
    "AblationComparison",
    "MetricFigures",
    "PairedFigures",
    "VariantFigures",
    "Comparison",
    "compare",
    "comparison_document",
    "paired_tests",
    "pooled_cell_clips",
]


def _written_document(ablation_id: str) -> dict[str, Any] | None:
    """The comparison document an ablation wrote when it ended, as written (None while it runs, or if
    it failed)."""
    with get_session() as session:
        arts = queries.artifacts_of_kind(session, [COMPARISON_KIND], run_id=ablation_id)
    if not arts:
        return None
    return read_comparison(resolve_within(glimpse_home(), arts[-1].path))


def comparison_document(ablation_id: str) -> AblationComparison | None:
    """The comparison an ablation wrote when it ended, typed (None while it runs, or if it failed)."""
    document = _written_document(ablation_id)
    return AblationComparison.from_document(document) if document is not None else None


def paired_tests(ablation_id: str) -> pd.DataFrame:
    """The paired tests (reference vs each variant, by seed and by fold) the ablation wrote, with
    Holm-adjusted p-values beside the raw ones: a table."""
    document = _written_document(ablation_id)
    return paired_table(paired_rows(document) if document else [])


def _compared(run: Run, in_ablation: bool) -> ComparedRun:
    return ComparedRun(
        id=run.id,
        arm=run_info_of(run).arm,
        seed=run.seed,
        synthetic=bool(run.is_synthetic),
        in_ablation=in_ablation,
    )


def compare(run_ids: Sequence[str] | None = None, ablation_id: str | None = None) -> Comparison:
    """Variants side by side: an ablation's children grouped by variant (seeds pooled) plus picked runs
    (unknown ids are skipped)."""
    with get_session() as session:
        children = queries.child_runs(session, ablation_id) if ablation_id else []
        chosen = [_compared(r, in_ablation=True) for r in children]
        inside = {r.id for r in chosen}
        picked = (session.get(Run, run_id) for run_id in dict.fromkeys(run_ids or []))
        chosen += [_compared(r, in_ablation=False) for r in picked if r is not None and r.id not in inside]
        ids = [r.id for r in chosen]
        metrics = pd.DataFrame(queries.run_metrics(session, ids), columns=METRIC_ROW)
        predictions = {
            run_id: [(truth, predicted) for truth, predicted, _ in queries.run_predictions(session, run_id)]
            for run_id in ids
        }
    document = _written_document(ablation_id) if ablation_id else None
    return build_comparison(chosen, metrics, document, predictions)


def pooled_cell_clips(runs: Mapping[int, str], truth: str, predicted: str) -> pd.DataFrame:
    """The clips behind one cell of a group's pooled confusion matrix (``runs``: seed → run id), with
    the seed each prediction came from: a table."""
    tables = [cell_clips(run_id, truth, predicted).assign(seed=seed) for seed, run_id in runs.items()]
    tables = [t for t in tables if not t.empty]
    if not tables:
        return cell_clips(next(iter(runs.values())), truth, predicted).assign(seed=pd.Series(dtype=int))
    return pd.concat(tables, ignore_index=True)
