"""Job, job-log and worker rows: the statements of the queue's state moves (``engine.jobs.queue``).

Each state move is one guarded UPDATE (``… WHERE status = <the state it leaves>``), so two processes
moving one job at once cannot both succeed: the functions say how many rows (or which ids) they moved.
None commits: the queue commits each move at once (other processes poll these rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, CursorResult, DateTime, Executable, bindparam, select, text, update
from sqlalchemy.orm import Session

from db.schema import JOB_ACTIVE_STATES, Job, JobLog, Run, Worker, utcnow


def _changed_rows(session: Session, statement: Executable) -> int:
    """Execute an UPDATE and return how many rows it changed (the guard of every state move)."""
    result = session.execute(statement)
    assert isinstance(result, CursorResult)  # DML always answers with a cursor result
    return result.rowcount


def begin_write_lock(session: Session) -> None:
    """On SQLite, take the database's single write lock now (BEGIN IMMEDIATE) rather than at the first
    write, so what is read next cannot change before this transaction writes; elsewhere a no-op (row
    locks do that job)."""
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")


# ---------------------------------------------------------------- jobs


def queued_job_waiting(session: Session, kinds: Sequence[str] | None = None) -> bool:
    """Whether any job (of ``kinds``) is queued — a read that takes no write lock."""
    waiting = select(Job.id).where(Job.status == "queued")
    if kinds:
        waiting = waiting.where(Job.kind.in_(list(kinds)))
    return session.scalar(waiting.limit(1)) is not None


def claim_oldest_queued(session: Session, worker_id: str, kinds: Sequence[str] | None = None) -> int | None:
    """Move the oldest queued job (of ``kinds``) to running for ``worker_id``; its id, or None.

    One UPDATE … WHERE id = (oldest queued) AND status = 'queued' … RETURNING id: on SQLite the statement
    runs under the database's single write lock (taken up front with BEGIN IMMEDIATE), on PostgreSQL the
    sub-select skips rows other claimers have locked, so two workers can never get the same job.
    """
    dialect = session.get_bind().dialect.name
    kind_filter = ""
    bind: dict[str, Any] = {"worker": worker_id, "now": utcnow()}
    if kinds:
        names = [f":k{i}" for i in range(len(kinds))]
        kind_filter = f" AND kind IN ({', '.join(names)})"
        bind.update({f"k{i}": k for i, k in enumerate(kinds)})
    lock = " FOR UPDATE SKIP LOCKED" if dialect == "postgresql" else ""
    statement = text(
        "UPDATE jobs SET status = 'running', worker_id = :worker, started_at = :now, heartbeat_at = :now, "
        "message = 'started', progress = 0.0 "
        f"WHERE id = (SELECT id FROM jobs WHERE status = 'queued'{kind_filter} ORDER BY id LIMIT 1{lock}) "
        "AND status = 'queued' RETURNING id"
    ).bindparams(bindparam("now", type_=DateTime))
    begin_write_lock(session)
    row = session.execute(statement, bind).first()
    return None if row is None else int(row[0])


def touch_running_job(session: Session, job_id: int) -> None:
    """The job's heartbeat is now (running jobs only)."""
    session.execute(
        update(Job).where(Job.id == job_id, Job.status == "running").values(heartbeat_at=utcnow())
    )


def set_job_pid(session: Session, job_id: int, pid: int) -> None:
    session.execute(update(Job).where(Job.id == job_id).values(pid=pid))


def set_job_progress(session: Session, job_id: int, fraction: float, message: str) -> None:
    """Progress and message of a running job (a job no longer running keeps its last)."""
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "running")
        .values(progress=fraction, message=message)
    )


def finish_active_job(session: Session, job_id: int, values: dict[str, Any]) -> bool:
    """Write ``values`` (its final state) to the job if it is still active; False when it was not."""
    statement = update(Job).where(Job.id == job_id, Job.status.in_(JOB_ACTIVE_STATES)).values(**values)
    return _changed_rows(session, statement) > 0


def end_running_runs(session: Session, job_ids: Sequence[int], status: str) -> None:
    """The runs these jobs left ``running`` end with ``status`` now."""
    if job_ids:
        session.execute(
            update(Run)
            .where(Run.job_id.in_(list(job_ids)), Run.status == "running")
            .values(status=status, finished_at=utcnow())
        )


def cancel_queued_job(session: Session, job_id: int) -> bool:
    """A queued job → cancelled; False when it was no longer queued (a worker claimed it)."""
    statement = (
        update(Job)
        .where(Job.id == job_id, Job.status == "queued")
        .values(status="cancelled", cancel_requested=True, finished_at=utcnow(), message="cancelled")
    )
    return _changed_rows(session, statement) > 0


def flag_cancel(session: Session, job_id: int) -> None:
    """Ask the job's worker to stop it (it polls ``cancel_requested``)."""
    session.execute(update(Job).where(Job.id == job_id).values(cancel_requested=True, message="cancelling"))


def _stale(cutoff: datetime) -> ColumnElement[bool]:
    """Running with no heartbeat since ``cutoff`` (or never heartbeated and started before it)."""
    return (Job.status == "running") & (
        (Job.heartbeat_at < cutoff) | (Job.heartbeat_at.is_(None) & (Job.started_at < cutoff))
    )


def stale_job_exists(session: Session, lost_after_s: float) -> bool:
    """Whether a running job has not heartbeated for ``lost_after_s`` (a read that takes no lock)."""
    cutoff = utcnow() - timedelta(seconds=lost_after_s)
    return session.scalar(select(Job.id).where(_stale(cutoff)).limit(1)) is not None


def lose_stale_jobs(session: Session, lost_after_s: float, error: str) -> list[int]:
    """Running jobs without a heartbeat for ``lost_after_s`` → ``lost`` with ``error``; their ids."""
    statement = (
        update(Job)
        .where(_stale(utcnow() - timedelta(seconds=lost_after_s)))
        .values(status="lost", finished_at=utcnow(), message="lost", error=error)
        .returning(Job.id)
    )
    return list(session.scalars(statement))


def running_jobs_on_host(session: Session, host: str) -> list[tuple[int, str, int]]:
    """(job id, worker id, worker pid) of every running job whose worker runs on ``host``."""
    rows = session.execute(
        select(Job.id, Worker.id, Worker.pid)
        .join(Worker, Worker.id == Job.worker_id)
        .where(Job.status == "running", Worker.host == host)
    ).all()
    return [(int(job_id), str(worker_id), int(pid)) for job_id, worker_id, pid in rows]


def lose_jobs_of_worker(session: Session, worker_id: str, error: str) -> list[int]:
    """The worker's running jobs → ``lost`` with ``error``; their ids."""
    statement = (
        update(Job)
        .where(Job.worker_id == worker_id, Job.status == "running")
        .values(status="lost", finished_at=utcnow(), message="lost", error=error)
        .returning(Job.id)
    )
    return list(session.scalars(statement))


def latest_jobs(session: Session, limit: int, states: Sequence[str] = ()) -> list[Job]:
    """Newest jobs first (only those in ``states`` when given), freshly read."""
    query = select(Job).order_by(Job.id.desc()).limit(limit).execution_options(populate_existing=True)
    if states:
        query = query.where(Job.status.in_(list(states)))
    return list(session.scalars(query))


def job_log_tail(session: Session, job_id: int, tail: int) -> list[JobLog]:
    """The last ``tail`` log lines of a job, oldest first."""
    rows = session.scalars(
        select(JobLog).where(JobLog.job_id == job_id).order_by(JobLog.id.desc()).limit(tail)
    ).all()
    return list(reversed(rows))


def cancel_state(session: Session, job_id: int) -> tuple[bool, str] | None:
    """(cancel requested, status) of a job; None when there is no such job."""
    row = session.execute(select(Job.cancel_requested, Job.status).where(Job.id == job_id)).first()
    return None if row is None else (bool(row[0]), str(row[1]))


# ---------------------------------------------------------------- workers


def refresh_worker(session: Session, worker_id: str, pid: int, now: datetime) -> bool:
    """Mark a registered worker alive (pid, heartbeat, not stopped); False when it has no row yet."""
    statement = (
        update(Worker).where(Worker.id == worker_id).values(pid=pid, heartbeat_at=now, stopped_at=None)
    )
    return _changed_rows(session, statement) > 0


def touch_worker(session: Session, worker_id: str) -> None:
    """The worker's heartbeat is now."""
    session.execute(update(Worker).where(Worker.id == worker_id).values(heartbeat_at=utcnow()))


def mark_worker_stopped(session: Session, worker_id: str) -> None:
    session.execute(update(Worker).where(Worker.id == worker_id).values(stopped_at=utcnow()))


def alive_workers(session: Session, lost_after_s: float) -> list[Worker]:
    """Workers that heartbeated within ``lost_after_s`` and have not said they stopped, freshly read."""
    cutoff = utcnow() - timedelta(seconds=lost_after_s)
    query = select(Worker).where(Worker.stopped_at.is_(None), Worker.heartbeat_at >= cutoff)
    return list(session.scalars(query.execution_options(populate_existing=True)))
