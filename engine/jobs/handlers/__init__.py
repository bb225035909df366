"""What each job kind does, registered by ``@register_job_kind`` in one module per group of kinds.

Importing the package imports every handler module, so ``JOB_KINDS`` is complete for whoever imports
it: the job's process (``engine.jobs.run_one``, or the CLI running its own job) and the job service
that checks a kind before queuing it (``engine.jobs.service``).
"""

from engine.jobs.handlers import checks, data, spotting, training  # noqa: F401 (register their kinds)
from engine.jobs.handlers.base import Handler, JobKind, jsonable
from engine.jobs.handlers.registry import JOB_KINDS, get_job_kind, user_kinds

__all__ = ["JOB_KINDS", "Handler", "JobKind", "get_job_kind", "jsonable", "user_kinds"]
