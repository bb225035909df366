"""The one entry point job workers and the CLI call: ``run_from_params(kind, params, reporter, job_id)``.

kinds and their params (all JSON):
- ``train``: ``{"variant": "full", "seed": 0, ...AblationConfig fields}`` → one LOSO run of that variant
  (its encoder stage(s) + stage 3); ``stage`` is accepted as a synonym of ``variant``.
- ``ablation``: AblationConfig fields → a parent run with one child per (variant, seed).
- ``evaluate``: ``{"run_id": <run with encoder.pt>, ...AblationConfig fields}`` → stage 3 LOSO again with
  that run's encoder (e.g. another RNN or sequence length), no encoder training.
All return ``{"run_id": ...}`` (plus a small summary); cancellation raises ``engine.progress.Cancelled``.
Folds run on ``executor`` (in-process when None); the job layer passes the configured one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from db.schema import Artifact, Run
from db.session import default_url, session_scope
from engine.errors import GlimpseError
from engine.executor import Executor
from engine.paths import glimpse_home, resolve_within
from engine.progress import Reporter
from engine.train.ablation import RUN_ONLY_KEYS, run_ablation, run_variant
from engine.train.config import AblationConfig

__all__ = ["run_from_params", "KINDS"]

KINDS = ("train", "ablation", "evaluate")


def _config(params: dict[str, Any], drop: tuple[str, ...]) -> AblationConfig:
    return AblationConfig.from_dict({k: v for k, v in params.items() if k not in drop})


def run_from_params(
    kind: str,
    params: dict[str, Any],
    reporter: Reporter | None = None,
    job_id: int | None = None,
    executor: Executor | None = None,
) -> dict[str, Any]:
    params = dict(params or {})
    db_url = params.pop("db_url", None) or default_url()
    if kind == "train":
        variant = str(params.pop("variant", None) or params.pop("stage", None) or "full")
        params.pop("stage", None)
        seed = int(params.pop("seed", 0))
        cfg = _config(params, ())
        out = run_variant(db_url, variant, seed, cfg, reporter, job_id, executor=executor)
        return {"run_id": out.run_id, "uf1": out.uf1, "uar": out.uar, "variant": variant, "seed": seed}
    if kind == "ablation":
        parent, comparison = run_ablation(db_url, _config(params, ()), reporter, job_id, executor)
        summary = {
            v: {"uf1_mean": r["uf1_mean"], "uar_mean": r["uar_mean"]}
            for v, r in comparison["variants"].items()
        }
        return {"run_id": parent, "summary": summary}
    if kind == "evaluate":
        source = params.pop("run_id", None)
        if not source:
            raise GlimpseError("evaluate needs 'run_id' of a run with an encoder checkpoint")
        seed = int(params.pop("seed", 0))
        with session_scope(db_url) as session:
            run = session.get(Run, source)
            if run is None:
                raise GlimpseError(
                    f"no run {source!r}", hint="pick a run id from glimpse runs / the Results page"
                )
            art = session.scalar(
                select(Artifact).where(Artifact.run_id == source, Artifact.kind == "checkpoint")
            )
            if art is None:
                raise GlimpseError(
                    f"run {source} has no encoder checkpoint", hint="pick a train or ablation child run"
                )
            variant = run.variant
            stored = dict(run.config)
        merged = {k: v for k, v in stored.items() if k not in RUN_ONLY_KEYS}
        for key, value in params.items():
            merged[key] = {**merged.get(key, {}), **value} if isinstance(value, dict) else value
        path = resolve_within(glimpse_home(), art.path)
        out = run_variant(
            db_url,
            variant,
            seed,
            _config(merged, ()),
            reporter,
            job_id,
            encoder_path=str(path),
            executor=executor,
        )
        return {"run_id": out.run_id, "uf1": out.uf1, "uar": out.uar, "variant": variant, "seed": seed}
    raise GlimpseError(f"unknown training job kind {kind!r}", hint=f"use one of {', '.join(KINDS)}")
