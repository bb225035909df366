"""Runs and results: the run table, one run's metrics and confusion matrix, the clips behind a cell."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from db import queries
from db.schema import Run
from engine.annotate.sources import DEFAULT_LABELS, config_labels
from engine.api.session import get_session
from engine.errors import GlimpseError
from engine.evaluate.metrics import compute_metrics, labels_of
from engine.train.ablation import arm_name

RUN_COLUMNS = [
    "id", "kind", "variant", "labels", "name", "parent", "seed", "status", "datasets", "synthetic",
    "wall_time_s", "uf1", "uar", "created",
]  # fmt: skip
METRIC_COLUMNS = ["scope", "name", "value"]
CELL_COLUMNS = ["clip_id", "dataset", "subject", "clip", "fold", "truth", "predicted"]


@dataclass(frozen=True)
class RunInfo:
    """What a run is: its kind, variant, seed, datasets, config and where it ran."""

    id: str
    kind: str
    variant: str
    name: str
    status: str
    seed: int | None
    synthetic: bool
    datasets: tuple[str, ...]
    config: Mapping[str, Any]
    code_version: str
    device: str
    preprocess_backend: str
    wall_time_s: float | None
    created: datetime | None
    labels: str = DEFAULT_LABELS  # the label source(s) it learned from ("/"-joined for an ablation)

    @property
    def arm(self) -> str:
        """What a comparison calls the run: its variant, ``variant@labels`` on another label source."""
        return arm_name(self.variant or self.name or self.id, self.labels)


@dataclass(frozen=True)
class RunDetail:
    """A run, its metrics (all scopes, a table), its pooled figures and its confusion matrix."""

    run: RunInfo
    metrics: pd.DataFrame  # scope, name, value
    overall: Mapping[str, float]  # uf1, uar, accuracy, ... of the pooled predictions
    labels: tuple[str, ...]  # rows/columns of ``confusion``
    confusion: np.ndarray  # rows = truth
    n_predictions: int


def run_info_of(run: Run) -> RunInfo:
    return RunInfo(
        id=run.id,
        kind=run.kind,
        variant=run.variant or "",
        name=run.name or "",
        status=run.status,
        seed=run.seed,
        synthetic=bool(run.is_synthetic),
        datasets=tuple(str(d) for d in run.dataset_names or ()),
        config=run.config or {},
        code_version=run.code_version or "",
        device=run.device or "",
        preprocess_backend=run.preprocess_backend or "",
        wall_time_s=run.wall_time_s,
        created=run.created_at,
        labels="/".join(config_labels(run.config)),
    )


def runs(limit: int = 200) -> pd.DataFrame:
    """Runs, newest first, with overall UF1/UAR and the SYNTHETIC flag: a table."""
    with get_session() as session:
        items = queries.list_runs(session, limit)
        metrics = queries.overall_metrics(session, [r.id for r in items])
        rows = [
            {
                "id": r.id,
                "kind": r.kind,
                "variant": r.variant,
                "labels": "/".join(config_labels(r.config)),
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
    return pd.DataFrame(rows, columns=RUN_COLUMNS)


def ablations() -> pd.DataFrame:
    """Ablation parent runs (for the Compare picker): a table."""
    frame = runs(limit=1000)
    return frame[frame.kind == "ablation"].reset_index(drop=True)


def run_info(run_id: str) -> RunInfo:
    with get_session() as session:
        run = session.get(Run, run_id)
        if run is None:
            raise GlimpseError(f"run {run_id!r} is not in the catalog", hint="pick a run from the table")
        return run_info_of(run)


def run_detail(run_id: str) -> RunDetail:
    """A run's metrics (all scopes), confusion matrix (rows = truth) and config."""
    info = run_info(run_id)
    with get_session() as session:
        metric_rows = [
            (scope, name, value) for _, scope, name, value in queries.run_metrics(session, [run_id])
        ]
        preds = queries.run_predictions(session, run_id)
    metrics = pd.DataFrame(metric_rows, columns=METRIC_COLUMNS)
    truth = [p[0] for p in preds]
    predicted = [p[1] for p in preds]
    labels = labels_of(truth + predicted)
    overall = metrics[metrics.scope == "overall"].set_index("name")["value"].to_dict()
    return RunDetail(
        run=info,
        metrics=metrics,
        overall=overall,
        labels=labels,
        confusion=compute_metrics(truth, predicted, labels).confusion,
        n_predictions=len(preds),
    )


def cell_clips(run_id: str, truth: str, predicted: str) -> pd.DataFrame:
    """The clips behind one confusion-matrix cell of a run: a table."""
    with get_session() as session:
        rows = queries.cell_predictions(session, run_id, truth, predicted)
    return pd.DataFrame(rows, columns=CELL_COLUMNS)
