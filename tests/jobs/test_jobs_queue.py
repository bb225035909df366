"""Job rows: claim order and filters, progress, logs, finish guard, cancel, lost sweep, requeue."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from db.schema import Job, Run, utcnow
from engine.errors import GlimpseError
from engine.jobs import queue, service
from engine.jobs.reporter import JobReporter


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


def _hold_write_lock(db_url: str, seconds: float) -> threading.Thread:
    """Another connection takes SQLite's write lock (like a long ingest transaction) for ``seconds``."""
    conn = sqlite3.connect(db_url.removeprefix("sqlite:///"), check_same_thread=False)
    conn.isolation_level = None
    conn.execute("BEGIN IMMEDIATE")

    def release() -> None:
        time.sleep(seconds)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=release)
    thread.start()
    return thread


def test_sweep_decides_nothing_after_waiting_for_a_held_lock(session: Session, db_url: str) -> None:
    job_id = queue.enqueue(session, "sleep", {})
    queue.claim_next(session, "w")
    session.execute(update(Job).where(Job.id == job_id).values(heartbeat_at=utcnow() - timedelta(seconds=60)))
    session.commit()
    holder = _hold_write_lock(db_url, 1.2)
    # nobody could heartbeat while the lock was held: this sweep must not call the job lost
    assert queue.sweep_lost(session, lost_after_s=30, max_lock_wait_s=0.5) == []
    holder.join()
    assert queue.get_job(session, job_id).status == "running"
    assert queue.sweep_lost(session, lost_after_s=30, max_lock_wait_s=0.5) == [job_id]


def test_job_reporter_buffers_while_the_catalog_is_locked(session: Session, db_url: str) -> None:
    job_id = queue.enqueue(session, "sleep", {})
    queue.claim_next(session, "w")
    reporter = JobReporter(db_url, job_id, min_interval_s=0.0, retry_after_s=0.2)
    holder = _hold_write_lock(db_url, 1.5)
    started = time.monotonic()
    reporter.log("during the lock")
    reporter.progress(0.4, "forty")
    assert time.monotonic() - started < 1.2  # neither waited out the lock (nor the 30 s busy timeout)
    holder.join()
    reporter.progress(0.5, "fifty")  # the lock is free again: the buffered line and progress go in
    job = queue.get_job(session, job_id)
    assert (job.progress, job.message) == (0.5, "fifty")
    assert [r.line for r in queue.job_logs(session, job_id)] == ["during the lock"]
    assert reporter.cancelled() is False
    queue.request_cancel(session, job_id)
    assert JobReporter(db_url, job_id).cancelled() is True
    reporter.close()
