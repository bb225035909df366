"""Job rows in the catalog: enqueue, claim atomically, heartbeat, progress, logs, cancel, lost, requeue.

Every write commits at once: the UI and the CLI poll these rows from other processes, and a long
transaction would both hide progress and hold SQLite's single write lock.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from db import queries
from db.schema import JOB_ACTIVE_STATES, JOB_FINAL_STATES, JOB_RETRYABLE_STATES, Job, JobLog, utcnow
from engine.config import settings
from engine.errors import GlimpseError

LOG_LEVELS = ("debug", "info", "warning", "error")
MAX_LOG_LINE = 4000


def _commit(session: Session) -> None:
    session.commit()


def enqueue(session: Session, kind: str, params: dict[str, Any] | None = None, submitted_by: str = "") -> int:
    """Add a queued job and return its id; a worker picks it up (oldest first).

    The row layer does not know job kinds: ``engine.jobs.service.submit`` checks the kind against the
    handler registry before calling this.
    """
    job = Job(
        kind=kind, params=dict(params or {}), status="queued", message="queued", submitted_by=submitted_by
    )
    session.add(job)
    _commit(session)
    return job.id


def start(
    session: Session, kind: str, params: dict[str, Any] | None, worker_id: str, submitted_by: str = ""
) -> Job:
    """Add a job that is already running for ``worker_id`` (the CLI running its own job): no worker can
    claim it in between, and it is listed, heartbeated and cancelled like any other."""
    now = utcnow()
    job = Job(
        kind=kind,
        params=dict(params or {}),
        status="running",
        worker_id=worker_id,
        started_at=now,
        heartbeat_at=now,
        message="started",
        progress=0.0,
        submitted_by=submitted_by,
    )
    session.add(job)
    _commit(session)
    return job


def claim_next(session: Session, worker_id: str, kinds: Sequence[str] | None = None) -> Job | None:
    """Atomically move the oldest queued job (of ``kinds``) to running for ``worker_id``.

    One guarded UPDATE (``db.queries.claim_oldest_queued``), so two workers can never get the same job.
    """
    session.commit()  # start from a fresh transaction: no stale read snapshot may precede the write
    if not queries.queued_job_waiting(session, kinds):
        session.commit()
        return None  # an idle poll takes no write lock
    try:
        job_id = queries.claim_oldest_queued(session, worker_id, kinds)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    if job_id is None:
        return None
    return session.get(Job, job_id, populate_existing=True)


def heartbeat(session: Session, job_id: int) -> None:
    """Prove the job's worker is alive; running jobs without a recent heartbeat become ``lost``."""
    queries.touch_running_job(session, job_id)
    _commit(session)


def set_pid(session: Session, job_id: int, pid: int) -> None:
    """Record the process (group leader) running the job, so cancel and the tests can find it."""
    queries.set_job_pid(session, job_id, pid)
    _commit(session)


def set_progress(session: Session, job_id: int, fraction: float, message: str = "") -> None:
    """Overall completion in [0, 1] and what is happening now (what the UI's bar shows)."""
    fraction = max(0.0, min(1.0, float(fraction)))
    queries.set_job_progress(session, job_id, fraction, message[:1000])
    _commit(session)


def append_log(session: Session, job_id: int, line: str, level: str = "info") -> None:
    """One line of the job's log (the UI shows a tail)."""
    level = level if level in LOG_LEVELS else "info"
    session.add(JobLog(job_id=job_id, line=str(line)[:MAX_LOG_LINE], level=level[:8]))
    _commit(session)


def finish(
    session: Session,
    job_id: int,
    status: str,
    error: str | None = None,
    result: dict[str, Any] | None = None,
) -> bool:
    """Move an active job to a final state; returns False when it was already final.

    A job already ``lost`` or ``cancelled`` stays so: a late finish from a process that lost its job
    must not resurrect it.
    """
    if status not in JOB_FINAL_STATES:
        raise ValueError(f"not a final job state: {status!r}")
    values: dict[str, Any] = {"status": status, "finished_at": utcnow(), "error": error}
    if result is not None:
        values["result"] = result
    if status == "succeeded":
        values.update(progress=1.0, message="done")
    else:
        values["message"] = status
    changed = queries.finish_active_job(session, job_id, values)
    if changed and status != "succeeded":
        queries.end_running_runs(session, [job_id], status)
    _commit(session)
    return changed


def request_cancel(session: Session, job_id: int) -> str:
    """Ask a job to stop: a queued job is cancelled at once, a running one by its worker.

    Returns the job's status afterwards.
    """
    job = get_job(session, job_id)
    if job.status == "queued":
        changed = queries.cancel_queued_job(session, job_id)
        _commit(session)
        if changed:
            return "cancelled"
        job = get_job(session, job_id)
    if job.status == "running":
        queries.flag_cancel(session, job_id)
        _commit(session)
    return get_job(session, job_id).status


def sweep_lost(session: Session, lost_after_s: float, max_lock_wait_s: float = 1.0) -> list[int]:
    """Running jobs whose heartbeat is older than ``lost_after_s`` → ``lost`` (and their running runs).

    On SQLite, while one long transaction (an ingest) holds the write lock, nobody can heartbeat; a
    sweep that had to wait longer than ``max_lock_wait_s`` for the lock therefore decides nothing this
    time, giving the jobs' workers the chance to heartbeat first.
    """

    session.commit()
    if not queries.stale_job_exists(session, lost_after_s):
        session.commit()
        return []  # the common case, decided by a read that takes no lock
    started = time.monotonic()
    queries.begin_write_lock(session)
    if time.monotonic() - started > max_lock_wait_s:
        session.rollback()
        return []
    # judged again now that this sweep holds the lock
    error = f"its worker stopped heartbeating for over {lost_after_s:g} s; requeue it to retry"
    lost = queries.lose_stale_jobs(session, lost_after_s, error)
    if not lost:
        session.commit()
        return []
    queries.end_running_runs(session, lost, "lost")
    for job_id in lost:
        session.add(JobLog(job_id=job_id, level="error", line="marked lost: no heartbeat from its worker"))
    _commit(session)
    return sorted(lost)


def requeue(session: Session, job_id: int) -> int:
    """A lost/failed/cancelled job → a new queued job with the same kind and params (attempts + 1).

    A new row rather than a reset one: a process that still runs the old attempt can only write to the
    old row, never into the retry.
    """
    job = get_job(session, job_id)
    if job.status in JOB_ACTIVE_STATES and sweep_on_read(session):  # its worker may have just died
        job = get_job(session, job_id)
    if job.status not in JOB_RETRYABLE_STATES:
        raise GlimpseError(
            f"job {job_id} is {job.status}; only lost, failed or cancelled jobs can be requeued",
            hint="cancel it first" if job.status in JOB_ACTIVE_STATES else None,
        )
    retry = Job(
        kind=job.kind,
        params=dict(job.params or {}),
        status="queued",
        attempts=(job.attempts or 0) + 1,
        message=f"requeued from job {job_id}",
        submitted_by=job.submitted_by,
    )
    session.add(retry)
    session.flush()
    session.add(JobLog(job_id=job_id, line=f"requeued as job {retry.id}"))
    _commit(session)
    return retry.id


def get_job(session: Session, job_id: int) -> Job:
    """The job row, freshly read (other processes update it)."""
    job = session.get(Job, job_id, populate_existing=True)
    if job is None:
        raise GlimpseError(f"no job with id {job_id}", hint="list jobs with `glimpse jobs ls`")
    return job


def list_jobs(session: Session, limit: int = 50, status: str | Sequence[str] | None = None) -> list[Job]:
    """Newest jobs first, optionally only those in ``status`` (one state or several)."""
    session.commit()  # drop any old snapshot: the rows change under us
    states = [] if not status else [status] if isinstance(status, str) else list(status)
    return queries.latest_jobs(session, limit, states)


def job_logs(session: Session, job_id: int, tail: int = 200) -> list[JobLog]:
    """The last ``tail`` log lines of a job, oldest first."""
    session.commit()
    return queries.job_log_tail(session, job_id, tail)


# --- sweep on read: a dead worker is visible to whoever looks -------------------------------------------
DEAD_WORKER_ERROR = "its worker (pid {pid} on {host}) died while it ran; requeue it to retry"


def process_alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (a SIGKILLed worker its parent has not reaped yet)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: it exists
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc here: existence is all we can tell
    return state not in ("Z", "X")


def sweep_dead_workers(session: Session) -> list[int]:
    """Running jobs whose worker ran on this host and is gone → ``lost`` (and their runs), at once.

    A heartbeat can only say "dead" after ``lost_after_s``; a worker process on this machine can be
    checked directly, so a SIGKILLed worker's job is lost the moment anyone looks. Its worker row is
    marked stopped too, so ``ensure_worker`` starts a new one for the requeued job straight away.
    """
    session.commit()
    host = socket.gethostname()
    rows = queries.running_jobs_on_host(session, host)
    session.commit()
    dead = {worker_id: pid for _, worker_id, pid in rows if not process_alive(pid)}
    if not dead:
        return []
    lost: list[int] = []
    for worker_id, pid in dead.items():
        lost += queries.lose_jobs_of_worker(session, worker_id, DEAD_WORKER_ERROR.format(pid=pid, host=host))
        queries.mark_worker_stopped(session, worker_id)
    queries.end_running_runs(session, lost, "lost")
    for job_id in lost:
        session.add(JobLog(job_id=job_id, level="error", line="marked lost: its worker process is gone"))
    _commit(session)
    return sorted(lost)


def sweep_on_read(session: Session) -> list[int]:
    """What every reader of jobs (CLI, API, Train page) calls first: dead local workers, stale heartbeats."""
    return sorted(sweep_dead_workers(session) + sweep_lost(session, settings().lost_after_s))
