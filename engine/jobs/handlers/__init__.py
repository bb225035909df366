"""What each job kind does, registered by ``@job_kind`` in one module per group of kinds.

Importing the package imports every handler module, so ``JOB_KINDS`` is complete for whoever imports
it: the job's process (``engine.jobs.run_one``, or the CLI running its own job) and the job service
that checks a kind before queuing it (``engine.jobs.service``).
"""

from engine.jobs.handlers import checks, data, spotting, training  # noqa: F401 (register their kinds)
from engine.jobs.handlers.base import JOB_KINDS, Handler, JobKind, get_kind, jsonable, user_kinds

__all__ = ["JOB_KINDS", "Handler", "JobKind", "get_kind", "jsonable", "user_kinds"]
