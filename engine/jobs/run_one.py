"""Run one claimed job's handler in this process (the worker's child) and record how it ended.

``python -m engine.jobs.run_one JOB_ID``. The worker starts it in its own process group, so a cancel can
stop it and everything it spawned at once; if the worker dies, a watchdog here stops the group too, so
no orphan keeps writing into a job that is about to be marked lost.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

from db.errors import CatalogFault
from db.session import default_url, session_factory
from engine.jobs import queue
from engine.jobs.reporter import JobReporter
from engine.jobs.service import execute
from engine.jobs.worker import WORKER_PID_ENV


def _watch_parent(worker_pid: int, interval_s: float = 0.2) -> None:
    """Stop this process group once the worker that started it is gone (re-parented)."""

    def watch() -> None:
        while True:
            time.sleep(interval_s)
            if os.getppid() != worker_pid:
                os.killpg(os.getpgrp(), signal.SIGKILL)

    threading.Thread(target=watch, name="glimpse-parent-watch", daemon=True).start()


def run_job(job_id: int, db_url: str | None = None) -> int:
    """Run the handler of running job ``job_id``; returns an exit code (0 once a final status is recorded)."""
    db_url = db_url or default_url()
    os.environ["GLIMPSE_DB_URL"] = db_url  # handlers open their own sessions on the same catalog
    session = session_factory(db_url)()
    job = queue.get_job(session, job_id)
    if job.status != "running":
        print(f"job {job_id} is {job.status}, not running; nothing to do", file=sys.stderr)
        return 0
    reporter = JobReporter(db_url, job_id)
    try:
        execute(session, job, reporter)
    finally:
        reporter.close()
        session.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not args[0].isdigit():
        print("usage: python -m engine.jobs.run_one JOB_ID", file=sys.stderr)
        return 2
    worker_pid = os.environ.get(WORKER_PID_ENV)
    if worker_pid and worker_pid.isdigit():
        _watch_parent(int(worker_pid))
    try:
        return run_job(int(args[0]))
    except CatalogFault as fault:  # the catalog stayed away: one line for the worker to record, no traceback
        print(f"error: {fault}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
