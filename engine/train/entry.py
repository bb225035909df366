"""The one entry point job workers and the CLI call: ``run_request(request, reporter, job_id, executor)``
(``run_from_params`` reads a job row's params back as its request first; see ``engine.train.requests``).

- ``TrainRequest`` → one LOSO run of that variant (its encoder stage(s) + stage 3) on its label source.
- ``AblationRequest`` → a parent run with one child per (variant, seed, label source).
- ``EvaluateRequest`` → stage 3 LOSO again with a stored run's encoder (e.g. another RNN or sequence
  length), no encoder training.
All return ``{"run_id": ...}`` (plus a small summary); cancellation raises ``engine.progress.Cancelled``.
Folds run on ``executor`` (in-process when None); the job layer passes the configured one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from db import queries
from db.schema import Run
from db.session import default_url, session_scope
from engine.errors import GlimpseError
from engine.local_executor import Executor
from engine.paths import glimpse_home, resolve_within
from engine.progress import Reporter
from engine.train.ablation import RUN_ONLY_KEYS, run_ablation, run_variant
from engine.train.config import AblationConfig
from engine.train.requests import (
    KINDS,
    AblationRequest,
    EvaluateRequest,
    TrainingRequest,
    TrainRequest,
    request_from_params,
)

__all__ = ["run_from_params", "run_request", "KINDS"]


def run_from_params(
    kind: str,
    params: Mapping[str, Any],
    reporter: Reporter | None = None,
    job_id: int | None = None,
    executor: Executor | None = None,
) -> dict[str, Any]:
    """A job row's ``(kind, params)``: its request, run."""
    db_url = (params or {}).get("db_url") or default_url()
    return run_request(request_from_params(kind, params), reporter, job_id, executor, db_url)


def _encoder_of(db_url: str, run_id: str) -> tuple[str, dict[str, Any], str]:
    """(variant, stored config, encoder checkpoint path) of a run with an encoder."""
    with session_scope(db_url) as session:
        run = session.get(Run, run_id)
        if run is None:
            raise GlimpseError(
                f"no run {run_id!r}", hint="pick a run id from glimpse runs / the Results page"
            )
        art = queries.run_artifact(session, run_id, "checkpoint")
        if art is None:
            raise GlimpseError(
                f"run {run_id} has no encoder checkpoint", hint="pick a train or ablation child run"
            )
        return run.variant, dict(run.config), str(resolve_within(glimpse_home(), art.path))


def run_request(
    request: TrainingRequest,
    reporter: Reporter | None = None,
    job_id: int | None = None,
    executor: Executor | None = None,
    db_url: str | None = None,
) -> dict[str, Any]:
    """Run one checked request; returns the job's result (run id and a small summary)."""
    db_url = db_url or default_url()
    if isinstance(request, TrainRequest):
        out = run_variant(
            db_url, request.variant, request.seed, request.run_config, reporter, job_id, executor=executor
        )
        return {
            "run_id": out.run_id,
            "uf1": out.uf1,
            "uar": out.uar,
            "variant": request.variant,
            "seed": request.seed,
            "labels": request.labels,
        }
    if isinstance(request, AblationRequest):
        parent, comparison = run_ablation(db_url, request.config, reporter, job_id, executor)
        summary = {
            v: {"uf1_mean": r["uf1_mean"], "uar_mean": r["uar_mean"]}
            for v, r in comparison["variants"].items()
        }
        return {"run_id": parent, "summary": summary}
    if isinstance(request, EvaluateRequest):
        variant, stored, path = _encoder_of(db_url, request.run_id)
        merged = {k: v for k, v in stored.items() if k not in RUN_ONLY_KEYS}
        for key, value in request.overrides.items():
            merged[key] = {**merged.get(key, {}), **value} if isinstance(value, dict) else value
        out = run_variant(
            db_url,
            variant,
            request.seed,
            AblationConfig.from_dict(merged),
            reporter,
            job_id,
            encoder_path=path,
            executor=executor,
        )
        return {
            "run_id": out.run_id,
            "uf1": out.uf1,
            "uar": out.uar,
            "variant": variant,
            "seed": request.seed,
        }
    raise GlimpseError(f"unknown training request {request!r}", hint=f"use one of {', '.join(KINDS)}")
