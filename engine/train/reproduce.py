"""Re-run a stored run from its record and say whether the numbers came back.

A run's record (its Run row and ``config.json``) holds the whole config, the device as resolved, the
runtime numerics (threads, deterministic algorithms, dtype) and the seed, so re-running it on the same
catalog must give the same metrics and predictions bit for bit. ``reproduce`` does that as a new run and
lists every metric and prediction that differs; the catalog snapshot and the recorded environment (torch
version, CPU/GPU model) are compared too, so a reader can tell a changed catalog or machine from a bug.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from db import queries
from db.queries import catalog_snapshot
from db.schema import Run
from db.session import session_scope
from engine.errors import GlimpseError
from engine.paths import glimpse_home, resolve_within
from engine.progress import NullReporter, Reporter, SubReporter
from engine.train.ablation import RUN_ONLY_KEYS, run_variant
from engine.train.config import AblationConfig


@dataclass(frozen=True)
class Difference:
    """One number that did not come back: ``what`` is metric / prediction / file, ``key`` names it."""

    run_id: str
    what: str
    key: str
    stored: str
    now: str

    def __str__(self) -> str:
        return f"{self.run_id} {self.what} {self.key}: stored {self.stored}, now {self.now}"


@dataclass
class Reproduction:
    """The outcome for one run (an ablation: one per child)."""

    run_id: str
    new_run_id: str
    variant: str
    seed: int | None
    n_metrics: int
    n_predictions: int
    differences: list[Difference] = field(default_factory=list)
    catalog_changed: bool = False
    environment_then: dict[str, Any] = field(default_factory=dict)
    environment_now: dict[str, Any] = field(default_factory=dict)
    labels: str = "source"  # the label source the run learned from (its stored config's)

    @property
    def identical(self) -> bool:
        return not self.differences


def run_record(db_url: str, run_id: str) -> dict[str, Any]:
    """The run's ``config.json`` (kind, variant, seed, config, environment, code version)."""
    with session_scope(db_url) as session:
        art = queries.run_artifact(session, run_id, "config")
        if art is None:
            return {}
        path = resolve_within(glimpse_home(), art.path)
    return json.loads(path.read_text()) if path.exists() else {}


def _results(db_url: str, run_id: str) -> tuple[dict[str, float], dict[int, tuple], str]:
    """(metrics by scope/name, predictions by clip id, predictions.csv sha256) of a finished run."""
    with session_scope(db_url) as session:
        metrics = {
            f"{scope}/{name}": value for _, scope, name, value in queries.run_metrics(session, [run_id])
        }
        predictions = {
            p.clip_id: (p.fold, p.truth, p.predicted, tuple(sorted(p.probs.items())))
            for p in queries.predictions_of(session, run_id)
        }
        csv = queries.run_artifact(session, run_id, "predictions_csv")
    return metrics, predictions, (csv.sha256 if csv is not None else None) or ""


def _diff(run_id: str, stored: dict, now: dict, what: str) -> list[Difference]:
    out = []
    for key in sorted(set(stored) | set(now), key=str):
        a, b = stored.get(key), now.get(key)
        if a != b:
            out.append(
                Difference(
                    run_id, what, str(key), "—" if a is None else repr(a), "—" if b is None else repr(b)
                )
            )
    return out


def reproduce_one(db_url: str, run_id: str, reporter: Reporter | None = None) -> Reproduction:
    """Re-run one variant run (kind ``loso``) from its stored config and seed; diff it with the stored one."""
    with session_scope(db_url) as session:
        run = session.get(Run, run_id)
        if run is None:
            raise GlimpseError(f"no run {run_id!r}", hint="list runs on the Results page")
        if run.kind != "loso" or run.status != "succeeded":
            raise GlimpseError(
                f"run {run_id} is a {run.status} {run.kind} run",
                hint="pass a succeeded train run or ablation",
            )
        stored_config, variant, seed = dict(run.config), run.variant, run.seed
        snapshot_then = run.catalog_snapshot
        snapshot_now = catalog_snapshot(session)
    encoder_path = stored_config.get("encoder_from")
    cfg = AblationConfig.from_dict({k: v for k, v in stored_config.items() if k not in RUN_ONLY_KEYS})
    outcome = run_variant(db_url, variant, int(seed or 0), cfg, reporter, encoder_path=encoder_path)
    metrics_then, predictions_then, sha_then = _results(db_url, run_id)
    metrics_now, predictions_now, sha_now = _results(db_url, outcome.run_id)
    differences = _diff(run_id, metrics_then, metrics_now, "metric")
    differences += _diff(run_id, predictions_then, predictions_now, "prediction of clip")
    if sha_then != sha_now:
        differences.append(Difference(run_id, "file", "predictions.csv sha256", sha_then[:16], sha_now[:16]))
    return Reproduction(
        run_id=run_id,
        new_run_id=outcome.run_id,
        variant=variant,
        seed=seed,
        n_metrics=len(metrics_then),
        n_predictions=len(predictions_then),
        differences=differences,
        catalog_changed=snapshot_then != snapshot_now,
        environment_then=run_record(db_url, run_id).get("environment", {}),
        environment_now=run_record(db_url, outcome.run_id).get("environment", {}),
        labels=cfg.label_source,
    )


def reproduce(db_url: str, run_id: str, reporter: Reporter | None = None) -> list[Reproduction]:
    """Re-run a run (an ablation: each of its variant × seed children, in order) and diff each."""
    reporter = reporter or NullReporter()
    with session_scope(db_url) as session:
        run = session.get(Run, run_id)
        if run is None:
            raise GlimpseError(f"no run {run_id!r}", hint="list runs on the Results page")
        children = [child.id for child in queries.child_runs(session, run_id)]
    ids = children if run.kind == "ablation" else [run_id]
    return [
        reproduce_one(db_url, rid, SubReporter(reporter, i / len(ids), (i + 1) / len(ids)))
        for i, rid in enumerate(ids)
    ]


def environment_line(env: dict[str, Any]) -> str:
    """A recorded environment in one line: the versions and hardware a reader needs to match."""
    keys = ("torch", "numpy", "python", "cpu", "cpu_capability", "cpu_count", "gpu", "cuda", "device")
    return " · ".join(f"{k} {env[k]}" for k in keys if env.get(k) is not None) or "(not recorded)"
