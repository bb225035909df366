"""The ``spot`` job: LOSO spotting of a dataset's long videos, features per video and folds on the
executor ``GLIMPSE_EXECUTOR`` names (in-process or Ray tasks)."""

from __future__ import annotations

from typing import Any

from engine.errors import GlimpseError
from engine.jobs.executor_choice import get_executor
from engine.jobs.handlers.base import db_url, jsonable
from engine.jobs.handlers.registry import register_job_kind
from engine.progress import Reporter
from engine.spotting.config import SpotConfig
from engine.spotting.run import run_spotting


@register_job_kind("spot")
def spot(params: dict[str, Any], reporter: Reporter, job_id: int) -> dict[str, Any]:
    """Spot every recording of ``dataset`` with ``method`` (SpotConfig fields; typos refused); with
    ``recognition_run``, also spot-then-recognise (STRS)."""
    if not params.get("dataset"):
        raise GlimpseError("a spot job needs a 'dataset' parameter (a dataset with long videos)")
    config = SpotConfig.from_dict(
        {k: v for k, v in params.items() if k not in ("dataset", "recognition_run")}
    )
    summary = run_spotting(
        db_url(),
        params["dataset"],
        config,
        get_executor(reporter=reporter),
        reporter,
        job_id,
        params.get("recognition_run"),
    )
    out: dict[str, Any] = jsonable(summary)
    return out
