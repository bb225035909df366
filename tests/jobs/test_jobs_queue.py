"""Job rows: claim order and filters, progress, logs, finish guard, cancel, lost sweep, requeue."""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
from datetime import timedelta

import pytest
from jobs_support import wait_for
from sqlalchemy import update
from sqlalchemy.orm import Session

from db.schema import Job, Run, utcnow
from db.session import session_factory
from engine.errors import GlimpseError
from engine.jobs import queue, service
from engine.jobs.reporter import QUICK_BUSY_TIMEOUT_MS, JobReporter, _quick_sessions


def test_enqueue_and_claim_oldest_first_with_kind_filter(session: Session) -> None:
    first = queue.enqueue(session, "sleep", {"seconds": 1})
    second = queue.enqueue(session, "fail", {"message": "x"})
    third = queue.enqueue(session, "sleep", {"seconds": 2})
    assert queue.get_job(session, first).status == "queued"

    claimed = queue.claim_next(session, "w1", kinds=["fail"])
    assert claimed is not None and claimed.id == second
    assert (claimed.status, claimed.worker_id) == ("running", "w1")
    assert claimed.started_at is not None and claimed.heartbeat_at is not None

    assert queue.claim_next(session, "w2").id == first
    assert queue.claim_next(session, "w2").id == third
    assert queue.claim_next(session, "w2") is None
    assert [j.id for j in queue.list_jobs(session, status="running")] == [third, second, first]


def test_submit_refuses_unknown_kind(session: Session) -> None:
    with pytest.raises(GlimpseError, match="unknown job kind 'trian'"):
        service.submit(session, "trian", {})
    assert queue.list_jobs(session) == []


def test_progress_logs_and_finish(session: Session) -> None:
    job_id = queue.enqueue(session, "sleep", {})
    queue.claim_next(session, "w")
    queue.set_progress(session, job_id, 1.7, "over the top")
    assert queue.get_job(session, job_id).progress == 1.0
    queue.set_progress(session, job_id, 0.25, "a quarter")
    job = queue.get_job(session, job_id)
    assert (job.progress, job.message) == (0.25, "a quarter")
    for i in range(5):
        queue.append_log(session, job_id, f"line {i}", level="warning" if i == 4 else "info")
    tail = queue.job_logs(session, job_id, tail=2)
    assert [(r.line, r.level) for r in tail] == [("line 3", "info"), ("line 4", "warning")]

    assert queue.finish(session, job_id, "succeeded", result={"n": 3}) is True
    job = queue.get_job(session, job_id)
    assert (job.status, job.progress, job.result) == ("succeeded", 1.0, {"n": 3})
    # a late second finish (e.g. from a stray process) must not overwrite the outcome
    assert queue.finish(session, job_id, "failed", error="late") is False
    assert queue.get_job(session, job_id).status == "succeeded"
    with pytest.raises(ValueError):
        queue.finish(session, job_id, "running")


def test_cancel_queued_is_immediate_running_is_requested(session: Session) -> None:
    queued = queue.enqueue(session, "sleep", {})
    running = queue.enqueue(session, "sleep", {})
    queue.claim_next(session, "w", kinds=["sleep"])  # claims `queued` (the oldest)
    # claim order: the oldest is now running; the other is still queued
    assert queue.get_job(session, queued).status == "running"
    assert queue.request_cancel(session, running) == "cancelled"
    assert queue.claim_next(session, "w") is None  # a cancelled job is never claimed
    assert queue.request_cancel(session, queued) == "running"
    assert queue.get_job(session, queued).cancel_requested is True


def test_sweep_lost_marks_stale_jobs_and_their_running_runs(session: Session) -> None:
    stale = queue.enqueue(session, "sleep", {})
    fresh = queue.enqueue(session, "sleep", {})
    queue.claim_next(session, "w")
    queue.claim_next(session, "w")
    session.add_all(
        [
            Run(id="r-stale", job_id=stale, kind="loso", status="running"),
            Run(id="r-stale-done", job_id=stale, kind="loso", status="succeeded"),
            Run(id="r-fresh", job_id=fresh, kind="loso", status="running"),
        ]
    )
    session.commit()
    session.execute(update(Job).where(Job.id == stale).values(heartbeat_at=utcnow() - timedelta(seconds=60)))
    session.commit()

    assert queue.sweep_lost(session, lost_after_s=30) == [stale]
    assert queue.sweep_lost(session, lost_after_s=30) == []  # idempotent
    job = queue.get_job(session, stale)
    assert job.status == "lost" and "heartbeat" in job.error
    assert queue.get_job(session, fresh).status == "running"
    statuses = {r.id: r.status for r in session.query(Run).populate_existing()}
    assert statuses == {"r-stale": "lost", "r-stale-done": "succeeded", "r-fresh": "running"}
    # the lost job's late finish cannot turn it into a success
    assert queue.finish(session, stale, "succeeded") is False
    assert queue.get_job(session, stale).status == "lost"


def test_requeue_copies_params_and_counts_attempts(session: Session) -> None:
    job_id = queue.enqueue(session, "sleep", {"seconds": 3, "make_run": True})
    with pytest.raises(GlimpseError, match="only lost, failed or cancelled"):
        queue.requeue(session, job_id)
    queue.claim_next(session, "w")
    queue.finish(session, job_id, "lost", error="gone")
    retry = queue.requeue(session, job_id)
    assert retry != job_id
    job = queue.get_job(session, retry)
    assert (job.kind, job.params, job.status, job.attempts) == (
        "sleep",
        {"seconds": 3, "make_run": True},
        "queued",
        1,
    )
    assert queue.job_logs(session, job_id)[-1].line == f"requeued as job {retry}"
    queue.claim_next(session, "w")
    queue.finish(session, retry, "failed", error="again")
    assert queue.get_job(session, queue.requeue(session, retry)).attempts == 2


def test_unknown_job_is_a_user_error(session: Session) -> None:
    with pytest.raises(GlimpseError, match="no job with id 404"):
        queue.get_job(session, 404)


class _WriteLock:
    """Another connection holds SQLite's write lock (like a long ingest transaction) until released."""

    def __init__(self, db_url: str) -> None:
        self._conn = sqlite3.connect(db_url.removeprefix("sqlite:///"), check_same_thread=False)
        self._conn.isolation_level = None
        self._conn.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        self._conn.execute("COMMIT")
        self._conn.close()


def _inside(thread: threading.Thread, function: str) -> bool:
    """True while ``thread`` is executing ``function`` (somewhere down its stack)."""
    frame = sys._current_frames().get(thread.ident or -1)
    while frame is not None:
        if frame.f_code.co_name == function:
            return True
        frame = frame.f_back
    return False


def test_sweep_decides_nothing_after_waiting_for_a_held_lock(session: Session, db_url: str) -> None:
    job_id = queue.enqueue(session, "sleep", {})
    queue.claim_next(session, "w")
    session.execute(update(Job).where(Job.id == job_id).values(heartbeat_at=utcnow() - timedelta(seconds=60)))
    session.commit()
    max_wait_s = 0.05
    lock = _WriteLock(db_url)
    swept: list[list[int]] = []

    def sweep() -> None:
        with session_factory(db_url)() as own:
            swept.append(queue.sweep_lost(own, lost_after_s=30, max_lock_wait_s=max_wait_s))

    sweeper = threading.Thread(target=sweep)
    sweeper.start()
    # the sweep is taking the lock (its clock started before BEGIN IMMEDIATE, which cannot complete while
    # the lock is held): hold it for longer than max_wait_s, then let go
    wait_for(lambda: _inside(sweeper, "exec_driver_sql"), 30, "the sweep to ask for the write lock")
    time.sleep(2 * max_wait_s)
    lock.release()
    sweeper.join()
    # nobody could heartbeat while the lock was held: that sweep must not call the job lost
    assert swept == [[]]
    assert queue.get_job(session, job_id).status == "running"
    assert queue.sweep_lost(session, lost_after_s=30) == [job_id]


def test_job_reporter_buffers_while_the_catalog_is_locked(session: Session, db_url: str) -> None:
    job_id = queue.enqueue(session, "sleep", {})
    queue.claim_next(session, "w")
    reporter = JobReporter(db_url, job_id, min_interval_s=0.0, retry_after_s=0.0)
    lock = _WriteLock(db_url)
    # both return while the lock is held (nobody releases it before they do), buffering what they could
    # not write: the reporter's writes give up after a short busy timeout instead of waiting the lock out
    reporter.log("during the lock")
    reporter.progress(0.4, "forty")
    assert queue.job_logs(session, job_id) == [] and queue.get_job(session, job_id).progress == 0.0
    with _quick_sessions(db_url)() as quick:
        assert quick.connection().exec_driver_sql("PRAGMA busy_timeout").scalar() == QUICK_BUSY_TIMEOUT_MS
    lock.release()
    reporter.progress(0.5, "fifty")  # the lock is free again: the buffered line and progress go in
    job = queue.get_job(session, job_id)
    assert (job.progress, job.message) == (0.5, "fifty")
    assert [r.line for r in queue.job_logs(session, job_id)] == ["during the lock"]
    assert reporter.cancelled() is False
    queue.request_cancel(session, job_id)
    assert JobReporter(db_url, job_id).cancelled() is True
    reporter.close()
