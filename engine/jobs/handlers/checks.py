"""``sleep``, ``fail`` and ``crash``: real handlers the tests (and anyone checking a deployment) use to
see progress, cancel, failure and a dying process end the way they should."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from typing import Any

from db.schema import Run, utcnow
from db.session import session_scope
from engine.errors import GlimpseError
from engine.jobs.handlers.base import db_url
from engine.jobs.handlers.registry import register_job_kind
from engine.progress import Cancelled, Reporter


@register_job_kind("sleep", user=False)
def sleep(params: dict[str, Any], reporter: Reporter, job_id: int) -> dict[str, Any]:
    """Sleep ``seconds`` in small steps, reporting progress and honouring cancel (for tests and checks).

    With ``make_run`` it also records a Run row (status running until it finishes) so lost-job handling
    can be checked against real runs; with ``spawn`` it starts a helper process, so cancel can be seen
    to stop the whole process group.
    """
    seconds = float(params.get("seconds", 1.0))
    run_id = None
    if params.get("make_run"):
        run_id = uuid.uuid4().hex
        with session_scope(db_url()) as session:
            session.add(Run(id=run_id, job_id=job_id, kind="stage", name="sleep check", status="running"))
    reporter.log(f"sleeping {seconds:g} s (pid {os.getpid()})")
    helper = None
    if params.get("spawn"):  # a grandchild in the same process group, like a data-loader worker
        helper = subprocess.Popen(["sleep", str(seconds + 60)])
        reporter.log(f"spawned helper pid {helper.pid}")
    start = time.monotonic()
    step = min(0.05, seconds / 10) if seconds > 0 else 0.0
    halfway_logged = False
    while (elapsed := time.monotonic() - start) < seconds:
        if reporter.cancelled():
            reporter.log("cancel seen; stopping")
            raise Cancelled()
        reporter.progress(elapsed / seconds, f"slept {elapsed:.1f} of {seconds:g} s")
        if not halfway_logged and elapsed >= seconds / 2:
            reporter.log("halfway")
            halfway_logged = True
        time.sleep(step)
    if helper is not None:
        helper.kill()
        helper.wait()
    reporter.progress(1.0, "awake")
    reporter.log("woke up")
    if run_id:
        with session_scope(db_url()) as session:
            run = session.get(Run, run_id)
            if run is not None and run.status == "running":
                run.status, run.finished_at = "succeeded", utcnow()
    return {"slept_s": seconds, "run_id": run_id, "pid": os.getpid()}


@register_job_kind("fail", user=False)
def fail(params: dict[str, Any], reporter: Reporter, job_id: int) -> dict[str, Any]:
    """Fails the way user errors do: a GlimpseError (the job's error shows its message, not a traceback)."""
    reporter.log("about to fail on purpose")
    raise GlimpseError(params.get("message", "this job fails on purpose"), where=params.get("where"))


@register_job_kind("crash", user=False)
def crash(params: dict[str, Any], reporter: Reporter, job_id: int) -> dict[str, Any]:
    """Dies without recording anything (like a segfault or the OOM killer) to check the worker's fallback."""
    print(params.get("message", "crashing on purpose"), file=sys.stderr, flush=True)
    os._exit(int(params.get("exit_code", 3)))
