"""Runs and results: the run table, one run's metrics and confusion matrix, variants compared."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.schema import (
    Artifact,
    Clip,
    Dataset,
    Metric,
    Prediction,
    Run,
    Subject,
)
from engine.api.session import get_session
from engine.errors import GlimpseError
from engine.paths import glimpse_home, resolve_within

LABELS_ME = ("negative", "positive", "surprise")


def _overall(session: Session, run_ids: Sequence[str]) -> dict[str, dict[str, float]]:
    rows = session.execute(
        select(Metric.run_id, Metric.name, Metric.value).where(
            Metric.run_id.in_(run_ids), Metric.scope == "overall"
        )
    )
    out: dict[str, dict[str, float]] = {}
    for run_id, name, value in rows:
        out.setdefault(run_id, {})[name] = value
    return out


def runs(limit: int = 200) -> pd.DataFrame:
    """Runs, newest first, with overall UF1/UAR and the SYNTHETIC flag."""
    with get_session() as session:
        items = list(session.scalars(select(Run).order_by(Run.created_at.desc()).limit(limit)))
        metrics = _overall(session, [r.id for r in items])
        rows = [
            {
                "id": r.id,
                "kind": r.kind,
                "variant": r.variant,
                "name": r.name,
                "parent": r.parent_id,
                "seed": r.seed,
                "status": r.status,
                "datasets": ", ".join(map(str, r.dataset_names or [])),
                "synthetic": "SYNTHETIC" if r.is_synthetic else "",
                "wall_time_s": r.wall_time_s,
                "uf1": metrics.get(r.id, {}).get("uf1"),
                "uar": metrics.get(r.id, {}).get("uar"),
                "created": r.created_at,
            }
            for r in items
        ]
    columns = [
        "id",
        "kind",
        "variant",
        "name",
        "parent",
        "seed",
        "status",
        "datasets",
        "synthetic",
        "wall_time_s",
        "uf1",
        "uar",
        "created",
    ]
    return pd.DataFrame(rows, columns=columns)


def _labels_of(values: Sequence[str]) -> list[str]:
    """The three ME classes always (a 3×3 matrix even if a class was never predicted), then any others."""
    return list(LABELS_ME) + sorted(set(values) - set(LABELS_ME))


def run_detail(run_id: str) -> dict[str, Any]:
    """A run's metrics (all scopes), confusion matrix (rows = truth) and config."""
    from sklearn.metrics import confusion_matrix

    with get_session() as session:
        run = session.get(Run, run_id)
        if run is None:
            raise GlimpseError(f"run {run_id!r} is not in the catalog", hint="pick a run from the table")
        metric_rows = [
            {"scope": m.scope, "name": m.name, "value": m.value}
            for m in session.scalars(select(Metric).where(Metric.run_id == run_id).order_by(Metric.id))
        ]
        preds = session.execute(
            select(Prediction.truth, Prediction.predicted, Prediction.fold).where(Prediction.run_id == run_id)
        ).all()
        info = {
            "id": run.id,
            "kind": run.kind,
            "variant": run.variant,
            "name": run.name,
            "status": run.status,
            "seed": run.seed,
            "synthetic": run.is_synthetic,
            "datasets": list(run.dataset_names or []),
            "config": run.config,
            "code_version": run.code_version,
            "device": run.device,
            "preprocess_backend": run.preprocess_backend,
            "wall_time_s": run.wall_time_s,
        }
    metrics = pd.DataFrame(metric_rows, columns=["scope", "name", "value"])
    truth = [p[0] for p in preds]
    predicted = [p[1] for p in preds]
    labels = _labels_of(truth + predicted)
    matrix = confusion_matrix(truth, predicted, labels=labels) if preds else np.zeros((len(labels),) * 2, int)
    overall = metrics[metrics.scope == "overall"].set_index("name")["value"].to_dict()
    return {
        "run": info,
        "metrics": metrics,
        "overall": overall,
        "labels": labels,
        "confusion": matrix,
        "n_predictions": len(preds),
    }


def cell_clips(run_id: str, truth: str, predicted: str) -> pd.DataFrame:
    """The clips behind one confusion-matrix cell of a run."""
    with get_session() as session:
        rows = session.execute(
            select(
                Clip.id,
                Dataset.name,
                Subject.code,
                Clip.name,
                Prediction.fold,
                Prediction.truth,
                Prediction.predicted,
            )
            .join(Prediction, Prediction.clip_id == Clip.id)
            .join(Dataset, Dataset.id == Clip.dataset_id)
            .join(Subject, Subject.id == Clip.subject_id)
            .where(Prediction.run_id == run_id, Prediction.truth == truth, Prediction.predicted == predicted)
            .order_by(Clip.id)
        ).all()
    return pd.DataFrame(rows, columns=["clip_id", "dataset", "subject", "clip", "fold", "truth", "predicted"])


VARIANT_ORDER = ("fir", "er", "mixt", "full", "lbptop", "flowcnn")


def ablations() -> pd.DataFrame:
    """Ablation parent runs (for the Compare picker)."""
    frame = runs(limit=1000)
    return frame[frame.kind == "ablation"].reset_index(drop=True)


def compare(run_ids: Sequence[str] | None = None, ablation_id: str | None = None) -> dict[str, Any]:
    """Variants side by side: metric mean/sd/CI over seeds, per-class F1 deltas vs FULL, paired tests."""
    from engine.evaluate.stats import seed_spread

    with get_session() as session:
        chosen: list[Run] = []
        if ablation_id:
            chosen += list(session.scalars(select(Run).where(Run.parent_id == ablation_id)))
        in_ablation = {r.id for r in chosen}
        if run_ids:
            chosen += [r for r in (session.get(Run, i) for i in run_ids) if r is not None and r not in chosen]
        if not chosen:
            raise GlimpseError("no runs to compare", hint="pick an ablation or some runs")
        ids = [r.id for r in chosen]
        all_metrics = session.execute(
            select(Metric.run_id, Metric.scope, Metric.name, Metric.value).where(Metric.run_id.in_(ids))
        ).all()
        # ablation runs group by variant (seeds pooled); a run picked beside an ablation keeps its own bar
        group = {
            r.id: (r.variant or r.name or r.id)
            + ("" if not ablation_id or r.id in in_ablation else f" · {r.id[-6:]}")
            for r in chosen
        }
        synthetic = any(r.is_synthetic for r in chosen)
        comparison = None
        if ablation_id:
            art = session.scalars(
                select(Artifact).where(Artifact.run_id == ablation_id, Artifact.path.like("%comparison.json"))
            ).first()
            if art is not None:
                path = resolve_within(glimpse_home(), art.path)
                if path.exists():
                    comparison = json.loads(path.read_text())
    metrics = pd.DataFrame(all_metrics, columns=["run_id", "scope", "name", "value"])
    metrics["variant"] = metrics.run_id.map(group)
    order = {v: i for i, v in enumerate(VARIANT_ORDER)}
    variants = sorted(set(group.values()), key=lambda v: (order.get(v, 99), v))
    summary = []
    overall = metrics[metrics.scope == "overall"]
    for variant in variants:
        for name in ("uf1", "uar", "accuracy"):
            values = overall[(overall.variant == variant) & (overall.name == name)].value.tolist()
            if values:
                s = seed_spread(values)
                summary.append(
                    {
                        "variant": variant,
                        "metric": name,
                        "mean": s.mean,
                        "sd": s.sd,
                        # UF1/UAR/accuracy live in [0, 1]; a t-interval over few seeds can overshoot
                        "ci_low": max(0.0, s.ci_low),
                        "ci_high": min(1.0, s.ci_high),
                        "n": s.n,
                    }
                )
    per_class = metrics[metrics.scope.str.startswith("class:") & (metrics.name == "f1")].copy()
    per_class["label"] = per_class.scope.str.removeprefix("class:")
    class_means = (
        per_class.groupby(["variant", "label"]).value.mean().unstack("label")
        if len(per_class)
        else pd.DataFrame()
    )
    if len(class_means):
        class_means = class_means.reindex([v for v in variants if v in class_means.index])
    deltas = (
        class_means.sub(class_means.loc["full"], axis=1) if "full" in class_means.index else pd.DataFrame()
    )
    return {
        "variants": variants,
        "runs": group,
        "summary": pd.DataFrame(
            summary, columns=["variant", "metric", "mean", "sd", "ci_low", "ci_high", "n"]
        ),
        "class_f1": class_means,
        "deltas_vs_full": deltas,
        "comparison": comparison,
        "synthetic": synthetic,
    }


def paired_tests(summary_runs: dict[str, str], metric: str = "uf1") -> pd.DataFrame:
    """Paired tests of each variant vs FULL over seeds (when no comparison.json was written)."""
    from engine.evaluate.stats import paired_test

    with get_session() as session:
        rows = session.execute(
            select(Run.id, Run.seed, Metric.value)
            .join(Metric, Metric.run_id == Run.id)
            .where(Run.id.in_(list(summary_runs)), Metric.scope == "overall", Metric.name == metric)
        ).all()
    by_variant: dict[str, dict[int, float]] = {}
    for run_id, seed, value in rows:
        by_variant.setdefault(summary_runs[run_id], {})[seed or 0] = value
    full = by_variant.get("full")
    out = []
    if full:
        for variant, values in by_variant.items():
            seeds = sorted(set(values) & set(full))
            if variant == "full" or len(seeds) < 2:
                continue
            test = paired_test([values[s] for s in seeds], [full[s] for s in seeds])
            out.append({"variant": variant, "vs": "full", "metric": metric, **test})
    return pd.DataFrame(out)
