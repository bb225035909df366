"""Training jobs: ``train``, ``ablation`` and ``evaluate`` (``engine.train.entry.run_from_params``),
with their folds on the executor ``GLIMPSE_EXECUTOR`` names (in-process or Ray tasks)."""

from __future__ import annotations

from typing import Any

from engine.jobs.executor_choice import get_executor
from engine.jobs.handlers.base import jsonable
from engine.jobs.handlers.registry import register_job_kind
from engine.progress import Reporter
from engine.train.entry import run_from_params


def _run(kind: str, params: dict[str, Any], reporter: Reporter, job_id: int) -> dict[str, Any]:
    out: dict[str, Any] = jsonable(
        run_from_params(kind, params, reporter, job_id, get_executor(reporter=reporter))
    )
    return out


@register_job_kind("train")
def train(params: dict[str, Any], reporter: Reporter, job_id: int) -> dict[str, Any]:
    """One variant × seed over the protocol's folds (``variant``, ``seed``, AblationConfig fields)."""
    return _run("train", params, reporter, job_id)


@register_job_kind("ablation")
def ablation(params: dict[str, Any], reporter: Reporter, job_id: int) -> dict[str, Any]:
    """Variants × seeds under one parent run with a comparison (AblationConfig fields)."""
    return _run("ablation", params, reporter, job_id)


@register_job_kind("evaluate")
def evaluate(params: dict[str, Any], reporter: Reporter, job_id: int) -> dict[str, Any]:
    """Stage 3 again with the encoder of run ``run_id``."""
    return _run("evaluate", params, reporter, job_id)
