"""Helpers for the job tests: real worker processes, waiting on job rows, checking processes are gone."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from db.schema import Job
from engine.jobs import queue

ROOT = Path(__file__).resolve().parents[2]


def start_worker(*args: str) -> subprocess.Popen:
    """``python -m engine.jobs.worker ARGS`` in its own session (pgid = pid), env from this process."""
    return subprocess.Popen(
        [sys.executable, "-m", "engine.jobs.worker", "--poll", "0.1", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for(predicate: Callable[[], object], timeout_s: float = 30.0, what: str = "condition") -> object:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


def wait_status(session: Session, job_id: int, states: tuple[str, ...], timeout_s: float = 30.0) -> Job:
    return wait_for(  # type: ignore[return-value]
        lambda: (job := queue.get_job(session, job_id)).status in states and job,
        timeout_s,
        f"job {job_id} to reach {states}",
    )


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def stop(proc: subprocess.Popen) -> None:
    """Make sure a process this test started is gone (kill its whole group)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 9)
    proc.wait(timeout=10)
