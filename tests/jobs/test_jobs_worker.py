"""Real worker processes: run, fail, crash, cancel (process group gone), SIGKILL → lost → requeue."""

from __future__ import annotations

import contextlib
import os
import re
import signal
from pathlib import Path

import pytest
from jobs_support import alive, start_worker, stop, wait_for, wait_status
from sqlalchemy import update
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from db.schema import Run, Worker, utcnow
from engine.cli import app
from engine.jobs import queue, worker

runner = CliRunner()


@pytest.fixture()
def fast(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Sub-second heartbeats (inherited by subprocesses); a generous lost timeout, so that a worker
    starved of CPU on a busy machine is not taken for dead — the SIGKILL test shortens it itself."""
    monkeypatch.setenv("GLIMPSE_HEARTBEAT_S", "0.2")
    monkeypatch.setenv("GLIMPSE_LOST_AFTER_S", "30")


def _runs(session: Session, job_id: int) -> list[Run]:
    session.commit()
    return list(session.query(Run).filter(Run.job_id == job_id).populate_existing())


def test_worker_runs_sleep_fail_and_crash_jobs(fast: None, session: Session) -> None:
    ok = queue.enqueue(session, "sleep", {"seconds": 0.6, "make_run": True})
    bad = queue.enqueue(session, "fail", {"message": "no faces in clip 7", "where": "clips.csv row 7"})
    crash = queue.enqueue(session, "crash", {"message": "segfault-ish", "exit_code": 5})
    proc = start_worker("--max-jobs", "3")
    try:
        assert proc.wait(timeout=60) == 0
    finally:
        stop(proc)

    job = queue.get_job(session, ok)
    assert (job.status, job.progress, job.message, job.error) == ("succeeded", 1.0, "done", None)
    assert job.result["slept_s"] == 0.6 and job.attempts == 0
    lines = [row.line for row in queue.job_logs(session, ok)]
    assert lines[0].startswith("started by worker") and lines[-2:] == ["halfway", "woke up"]
    assert [r.status for r in _runs(session, ok)] == ["succeeded"]

    job = queue.get_job(session, bad)
    assert job.status == "failed"
    assert job.error == "clips.csv row 7: no faces in clip 7"  # the message, not a traceback
    errors = [row.line for row in queue.job_logs(session, bad) if row.level == "error"]
    assert len(errors) == 1 and "Traceback" in errors[0]

    job = queue.get_job(session, crash)
    assert job.status == "failed"
    assert "exited with code 5" in job.error and "segfault-ish" in job.error

    session.commit()
    (row,) = session.query(Worker).populate_existing().all()
    assert row.pid == proc.pid and row.stopped_at is not None


def test_cancel_stops_the_whole_process_group(fast: None, session: Session) -> None:
    job_id = queue.enqueue(session, "sleep", {"seconds": 60, "spawn": True, "make_run": True})
    proc = start_worker("--max-jobs", "1")
    try:
        wait_status(session, job_id, ("running",))
        helper_line = wait_for(
            lambda: next((r.line for r in queue.job_logs(session, job_id) if "helper pid" in r.line), None),
            what="the helper process",
        )
        helper_pid = int(re.search(r"helper pid (\d+)", helper_line).group(1))
        child_pid = queue.get_job(session, job_id).pid
        assert child_pid and alive(child_pid) and alive(helper_pid)
        assert os.getpgid(helper_pid) == child_pid  # the helper is in the child's group

        assert queue.request_cancel(session, job_id) == "running"
        job = wait_status(session, job_id, ("cancelled",), timeout_s=20)
        assert job.cancel_requested is True and job.progress < 1.0
        with pytest.raises(ProcessLookupError):
            os.kill(child_pid, 0)
        wait_for(lambda: not alive(helper_pid), 5, "the helper to be gone")
        assert [r.status for r in _runs(session, job_id)] == ["cancelled"]
        assert proc.wait(timeout=20) == 0  # --max-jobs 1: the worker carries on to a clean exit
    finally:
        stop(proc)


def test_sigkilled_worker_is_seen_at_once_by_readers_and_requeue_finishes_it(
    fast: None, session: Session
) -> None:
    job_id = queue.enqueue(session, "sleep", {"seconds": 3.0, "make_run": True})
    first = start_worker()
    child_pid = 0
    try:
        wait_status(session, job_id, ("running",))
        wait_for(lambda: _runs(session, job_id), what="the job's run row")
        child_pid = wait_for(lambda: queue.get_job(session, job_id).pid, what="the child pid")
        os.killpg(first.pid, signal.SIGKILL)  # the worker, mid-job
        first.wait(timeout=10)
        # the orphaned child notices and stops its own process group: no stray process keeps writing
        wait_for(lambda: not alive(child_pid), 10, "the orphaned child to stop itself")
    finally:
        stop(first)
        if child_pid:  # … and in any case, its job's process group
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child_pid, signal.SIGKILL)

    # lost_after_s is 30 s, so no heartbeat sweep could have decided yet: the first reader does, at once
    assert queue.sweep_lost(session, lost_after_s=30) == []
    monitor = AppTest.from_string("from workbench.pages import train\ntrain.render()\n", default_timeout=60)
    monitor.session_state["job_id"] = job_id
    monitor.run()  # the Train page's job monitor is that reader here
    assert any(m.value == "**Status: lost** (sleep)" for m in monitor.markdown)
    assert any("died while it ran; requeue it to retry" in e.value for e in monitor.error)
    listing = runner.invoke(app, ["jobs", "ls"])
    assert listing.exit_code == 0, listing.output
    assert re.search(rf"│ {job_id} +│ sleep +│ lost ", listing.output), listing.output
    job = queue.get_job(session, job_id)
    assert job.status == "lost" and f"its worker (pid {first.pid} on " in job.error
    assert [r.status for r in _runs(session, job_id)] == ["lost"]  # never shown as a finished run
    shown = runner.invoke(app, ["jobs", "show", str(job_id)])
    assert "lost" in shown.output and "died while it ran" in shown.output
    assert worker.alive_workers(session) == []  # so a new worker is started for the retry at once

    requeued = runner.invoke(app, ["jobs", "requeue", str(job_id)])
    assert requeued.exit_code == 0, requeued.output
    retry = int(requeued.output.split("requeued as job")[1].split()[0])
    second = start_worker("--once")
    try:
        assert second.wait(timeout=60) == 0
    finally:
        stop(second)
    job = queue.get_job(session, retry)
    assert (job.status, job.progress, job.attempts) == ("succeeded", 1.0, 1)
    assert [r.status for r in _runs(session, retry)] == ["succeeded"]
    assert queue.get_job(session, job_id).status == "lost"


def test_requeue_right_after_the_worker_died_needs_no_sweep_first(fast: None, session: Session) -> None:
    job_id = queue.enqueue(session, "sleep", {"seconds": 30.0})
    first = start_worker()
    try:
        wait_status(session, job_id, ("running",))
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop(first)
    retry = queue.requeue(session, job_id)  # no "cancel it first": requeue sees the worker is gone
    assert queue.get_job(session, job_id).status == "lost"
    assert queue.get_job(session, retry).status == "queued"


def test_a_worker_on_another_host_is_judged_by_its_heartbeat_only(fast: None, session: Session) -> None:
    job_id = queue.enqueue(session, "sleep", {})
    session.add(Worker(id="elsewhere:1", host="elsewhere", pid=2**22 + 7, heartbeat_at=utcnow()))
    session.commit()
    assert queue.claim_next(session, "elsewhere:1").id == job_id
    assert queue.sweep_on_read(session) == []  # pid 4194311 means nothing on this machine
    assert queue.get_job(session, job_id).status == "running"


def test_two_worker_processes_run_each_job_exactly_once(fast: None, session: Session) -> None:
    ids = [queue.enqueue(session, "sleep", {"seconds": 0.1, "n": i}) for i in range(4)]
    procs = [start_worker("--idle-exit", "1.0") for _ in range(2)]
    try:
        assert [p.wait(timeout=90) for p in procs] == [0, 0]
    finally:
        for p in procs:
            stop(p)
    jobs = [queue.get_job(session, i) for i in ids]
    assert [j.status for j in jobs] == ["succeeded"] * 4
    for job in jobs:
        starts = [r.line for r in queue.job_logs(session, job.id) if r.line.startswith("started by worker")]
        assert len(starts) == 1
    assert len({j.result["pid"] for j in jobs}) == 4  # one child process per job


def test_ensure_worker_starts_one_only_when_none_is_alive(fast: None, session: Session, db_url: str) -> None:
    pid = worker.ensure_worker(db_url)
    assert pid is not None and alive(pid)
    try:
        assert worker.ensure_worker(db_url) is None  # its row is registered at once
        job_id = queue.enqueue(session, "sleep", {"seconds": 0.1})
        assert wait_status(session, job_id, ("succeeded",), timeout_s=60).worker_id.endswith(f":{pid}")
        assert (Path(os.environ["GLIMPSE_HOME"]) / "logs" / f"worker-{pid}.log").exists()
    finally:
        os.kill(pid, signal.SIGTERM)
        for proc in list(worker._spawned):
            proc.wait(timeout=20)
    assert not alive(pid)
    assert worker.alive_workers(session) == []  # it said it stopped
    worker.register_worker(session, "elsewhere:1", 1)  # registering twice refreshes, never duplicates
    worker.register_worker(session, "elsewhere:1", 2)
    assert [(w.id, w.pid) for w in worker.alive_workers(session)] == [("elsewhere:1", 2)]
    session.execute(update(Worker).values(stopped_at=utcnow()))
    session.commit()
    again = worker.ensure_worker(db_url)
    try:
        assert again is not None and again != pid
    finally:
        os.kill(again, signal.SIGTERM)
        for proc in list(worker._spawned):
            proc.wait(timeout=20)
