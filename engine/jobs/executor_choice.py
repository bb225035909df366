"""Which executor a job's independent tasks run on: the one ``GLIMPSE_EXECUTOR`` names — this machine's
process pool (``engine.local_executor.LocalExecutor``) or Ray tasks (``engine.jobs.ray_executor``) — made
here and passed into training by the job handlers (training codes against the
``engine.local_executor.Executor`` protocol and never imports the job system).
"""

from __future__ import annotations

import sys

from engine.config import Settings
from engine.config import settings as current_settings
from engine.errors import GlimpseError
from engine.jobs.ray_executor import RayExecutor
from engine.local_executor import Executor, LocalExecutor, available_cores
from engine.progress import NullReporter, Reporter

EXECUTORS = ("local", "ray")

NO_RAY_ADDRESS = (
    "GLIMPSE_EXECUTOR=ray without RAY_ADDRESS: running on the local executor (a private Ray would listen on"
    " all interfaces; start a cluster and set RAY_ADDRESS, see docs/CLUSTER.md)"
)


def _ray_joined() -> bool:
    """True when this process already joined a Ray (someone called ``ray.init`` deliberately)."""
    ray = sys.modules.get("ray")
    return ray is not None and bool(ray.is_initialized())


def get_executor(settings: Settings | None = None, reporter: Reporter | None = None) -> Executor:
    """The executor ``GLIMPSE_EXECUTOR`` (local | ray) names, joined to ``RAY_ADDRESS`` for ray; the local
    one with ``GLIMPSE_WORKERS`` worker processes (one per core when unset).

    Ray only joins a cluster someone opened on purpose (``RAY_ADDRESS``, or a Ray this process already
    joined): a Ray started here would bind its GCS, raylet and agent ports on all interfaces whatever
    address it is given (measured, docs/CLUSTER.md), so without one the folds run on the local executor
    and ``reporter`` (the job's log) gets one line saying so.
    """
    config = settings or current_settings()
    if config.executor == "local":
        return LocalExecutor(config.workers or available_cores())
    if config.executor == "ray":
        if not config.ray_address and not _ray_joined():
            (reporter or NullReporter()).log(NO_RAY_ADDRESS)
            return LocalExecutor(config.workers or available_cores())
        return RayExecutor(config.ray_address)
    raise GlimpseError(
        f"unknown GLIMPSE_EXECUTOR {config.executor!r}", hint=f"use one of {', '.join(EXECUTORS)}"
    )
