"""The worker process: claims jobs, runs each in a child process group, heartbeats, cancels, sweeps lost.

The handler runs in a child (``engine.jobs.run_one``) in its own session/process group, so that cancel
can stop it and all it spawned (data loaders, Ray drivers) with one signal, and a crash in a handler
(segfault, OOM kill) cannot take the worker down. The worker, not the child, heartbeats the job: a
heartbeat means "someone is still watching this job", which is what ``lost`` detection needs.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from db import queries
from db.errors import CatalogFault
from db.faults import catalog_fault, retry_transient
from db.schema import Job, Worker, utcnow
from db.session import default_url, session_factory
from engine.config import settings
from engine.jobs import queue
from engine.paths import glimpse_home

log = logging.getLogger("glimpse.worker")

WORKER_PID_ENV = "GLIMPSE_WORKER_PID"  # a job's process stops once this worker pid is gone
KILL_GRACE_S = 3.0
STOPPED_ERROR = "its worker was stopped while it ran; requeue it to retry"
STDERR_TAIL_CHARS = 2000
_spawned: list[subprocess.Popen] = []  # workers ensure_worker started (kept so they get reaped)


def worker_id_for(pid: int | None = None) -> str:
    """``host:pid``, stable for one process, so the app can pre-register a worker it just spawned."""
    return f"{socket.gethostname()}:{pid or os.getpid()}"


def register_worker(session: Session, worker_id: str, pid: int) -> None:
    """Insert or refresh the worker's row (its heartbeat says it is alive).

    Both the app (right after spawning) and the worker itself register the same id, in either order.
    """
    session.commit()
    now = utcnow()
    if queries.refresh_worker(session, worker_id, pid, now):
        session.commit()
        return
    session.add(Worker(id=worker_id, host=socket.gethostname(), pid=pid, started_at=now, heartbeat_at=now))
    try:
        session.commit()
    except IntegrityError:  # the other side registered it in between
        session.rollback()
        queries.refresh_worker(session, worker_id, pid, now)
        session.commit()


def worker_heartbeat(session: Session, worker_id: str) -> None:
    queries.touch_worker(session, worker_id)
    session.commit()


def stop_worker(session: Session, worker_id: str) -> None:
    queries.mark_worker_stopped(session, worker_id)
    session.commit()


def alive_workers(session: Session, lost_after_s: float | None = None) -> list[Worker]:
    """Workers that heartbeated within ``lost_after_s`` and have not said they stopped."""
    lost_after_s = settings().lost_after_s if lost_after_s is None else lost_after_s
    session.commit()
    return queries.alive_workers(session, lost_after_s)


def _logs_dir() -> Path:
    path = glimpse_home() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _tail(path: Path, chars: int = STDERR_TAIL_CHARS) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - chars))
            return handle.read().decode("utf-8", "replace").strip()
    except OSError:
        return ""


def kill_group(proc: subprocess.Popen, grace_s: float = KILL_GRACE_S) -> None:
    """SIGTERM the child's process group, SIGKILL what is left after ``grace_s``, and reap the child."""
    pgid = proc.pid  # started with start_new_session: the child leads its own group
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, grace_s)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            continue
        with contextlib.suppress(ProcessLookupError):  # the leader is gone; nothing it spawned survives
            os.killpg(pgid, signal.SIGKILL)
        break
    if proc.poll() is None:
        proc.wait()


class _Stop:
    """Set by SIGTERM/SIGINT: finish the current step, stop the child, mark its job lost, exit."""

    requested = False

    @classmethod
    def install(cls) -> dict[int, object]:
        """Install the handlers; returns the previous ones so an in-process caller gets them back."""

        def handle(signum: int, _frame: object) -> None:
            cls.requested = True

        cls.requested = False
        previous: dict[int, object] = {}
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(ValueError):  # not the main thread (a test thread): no handler
                previous[sig] = signal.signal(sig, handle)
        return previous

    @staticmethod
    def restore(previous: dict[int, object]) -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]


def _spawn(job_id: int, db_url: str, log_path: Path) -> subprocess.Popen:
    env = {**os.environ, "GLIMPSE_DB_URL": db_url, WORKER_PID_ENV: str(os.getpid())}
    with log_path.open("ab") as log_file:
        return subprocess.Popen(
            [sys.executable, "-m", "engine.jobs.run_one", str(job_id)],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )


def _watch_once(
    session: Session, proc: subprocess.Popen, job_id: int, worker_id: str, beat: bool
) -> str | None:
    """Heartbeat the job and the worker (when ``beat``); stop the child on cancel.

    Returns the job's final status if it ended here, else None.
    """
    if beat:
        queue.heartbeat(session, job_id)
        worker_heartbeat(session, worker_id)
    row = queue.get_job(session, job_id)
    if row.status in ("lost", "cancelled") or (row.status == "running" and row.cancel_requested):
        kill_group(proc)
        queue.append_log(session, job_id, f"stopped process group {proc.pid} ({row.status})")
        queue.finish(session, job_id, "cancelled")
        return queue.get_job(session, job_id).status
    return None


def _run_claimed(session: Session, job: Job, db_url: str, worker_id: str) -> str:
    """Run one claimed job in a child process group until it ends; returns the job's final status."""
    cfg = settings()
    job_id = job.id  # read once: after a rollback the row's attributes would reload from the catalog
    log_path = _logs_dir() / f"job-{job_id}.log"
    try:
        proc = _spawn(job_id, db_url, log_path)
    except OSError as error:
        queue.finish(session, job_id, "failed", error=f"could not start the job's process: {error}")
        return "failed"
    queue.set_pid(session, job_id, proc.pid)
    queue.append_log(session, job_id, f"started by worker {worker_id} in process group {proc.pid}")
    check_every = max(0.05, min(cfg.heartbeat_s, 0.5))  # cancel is a read: check it often
    next_check = next_beat = 0.0
    outage = _Outage()
    while proc.poll() is None:
        now = time.monotonic()
        if now >= next_check:
            next_check = now + check_every
            beat = now >= next_beat
            if beat:
                next_beat = now + cfg.heartbeat_s
            try:
                status = _watch_once(session, proc, job_id, worker_id, beat)
                outage.answered()
            except DBAPIError as error:  # catalog busy or restarting: keep watching (the pool reconnects)
                outage.failed(session, error, f"job {job_id}")
                status = None
            if status is not None:
                return status
        if _Stop.requested:
            kill_group(proc)

            def lost() -> str:
                queue.append_log(session, job_id, "its worker was stopped while it ran", level="error")
                queue.finish(session, job_id, "lost", error=STOPPED_ERROR)
                return queue.get_job(session, job_id).status

            return retry_transient(lost, cfg.lost_after_s, session)
        time.sleep(min(0.05, check_every))
    return retry_transient(lambda: _record_exit(session, job_id, proc, log_path), cfg.lost_after_s, session)


class _Outage:
    """Says once when the catalog stops answering and once when it is back — not at every check."""

    def __init__(self) -> None:
        self.since: float | None = None

    def failed(self, session: Session, error: DBAPIError, what: str) -> None:
        text = _fault_of(session, error)
        if self.since is None:
            self.since = time.monotonic()
            log.warning("%s: %s; retrying until it answers", what, text)

    def answered(self) -> None:
        if self.since is not None:
            log.warning("the catalog answers again (after %.1f s)", time.monotonic() - self.since)
            self.since = None


def _fault_of(session: Session, error: DBAPIError) -> str:
    """The one sentence of a catalog fault (after rolling ``session`` back); any other error re-raised."""
    fault = catalog_fault(error)
    if fault is None:
        raise error
    with contextlib.suppress(DBAPIError):
        session.rollback()
    return str(fault)


def _record_exit(session: Session, job_id: int, proc: subprocess.Popen, log_path: Path) -> str:
    """The job's final status once its process exited; a child that died without recording how it
    ended (killed, crashed, or it could not reach the catalog) is marked failed with its last words."""
    row = queue.get_job(session, job_id)
    if row.status == "running":
        tail, code = _tail(log_path), proc.returncode
        queue.append_log(session, job_id, f"process exited with code {code}:\n{tail}", level="error")
        queue.finish(
            session,
            job_id,
            "failed",
            error=f"the job's process exited with code {code} without a result. {tail[-500:]}".strip(),
        )
        row = queue.get_job(session, job_id)
    return row.status


def run_worker(
    db_url: str | None = None,
    once: bool = False,
    poll_s: float = 0.5,
    max_jobs: int | None = None,
    kinds: list[str] | None = None,
    idle_exit_s: float | None = None,
) -> int:
    """Claim and run jobs until stopped; returns how many jobs it ran.

    ``once``: run at most one job (none if the queue is empty) and return; ``max_jobs``: stop after that
    many; ``idle_exit_s``: stop after that long with nothing to do (workers the app starts on demand).
    """
    if not logging.getLogger().handlers:  # a worker process of its own: its log is its stdout
        logging.basicConfig(
            level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stdout
        )
        log.setLevel(logging.INFO)  # the worker's own lines; libraries (alembic, …) only warn
    db_url = db_url or default_url()
    cfg = settings()
    session = session_factory(db_url)()
    worker_id = worker_id_for()
    register_worker(session, worker_id, os.getpid())
    previous_handlers = _Stop.install()
    ran = 0
    last_beat = last_work = time.monotonic()
    outage = _Outage()
    try:
        while not _Stop.requested:
            try:
                if time.monotonic() - last_beat >= cfg.heartbeat_s:
                    worker_heartbeat(session, worker_id)
                    last_beat = time.monotonic()
                for job_id in queue.sweep_lost(session, cfg.lost_after_s):
                    log.warning("job %s marked lost (no heartbeat)", job_id)
                job = queue.claim_next(session, worker_id, kinds)
                outage.answered()
            except DBAPIError as error:  # catalog busy or restarting: try again (the pool reconnects)
                outage.failed(session, error, "worker")
                time.sleep(max(poll_s, 1.0))
                continue
            if job is None:
                if once:
                    break
                if idle_exit_s is not None and time.monotonic() - last_work >= idle_exit_s:
                    break
                time.sleep(poll_s)
                continue
            job_id = job.id  # read once (see _run_claimed)
            log.info("running job %s (%s)", job_id, job.kind)
            try:
                status = _run_claimed(session, job, db_url, worker_id)
            except CatalogFault as fault:  # the catalog stayed away too long: a sweep marks the job lost
                log.warning("job %s: %s", job_id, fault)
                status = "unknown"
            log.info("job %s %s", job_id, status)
            ran += 1
            last_work = last_beat = time.monotonic()
            if once or (max_jobs is not None and ran >= max_jobs):
                break
    finally:
        _Stop.restore(previous_handlers)
        try:
            retry_transient(lambda: stop_worker(session, worker_id), cfg.heartbeat_s, session)
        except CatalogFault as fault:  # its heartbeat stops: it reads as gone after lost_after_s
            log.warning("could not record the worker's stop: %s", fault)
        session.close()
    return ran


def ensure_worker(db_url: str | None = None) -> int | None:
    """Start a background worker if none has heartbeated recently; returns its pid (None: one is alive).

    The new worker is detached (own session), logs to ``GLIMPSE_HOME/logs/worker-<pid>.log`` and exits
    after 10 idle minutes. Its row is written at once, so a second call right after does not start another.
    """
    db_url = db_url or default_url()
    for proc in list(_spawned):  # reap workers we started that have exited
        if proc.poll() is not None:
            _spawned.remove(proc)
    session = session_factory(db_url)()
    try:
        if alive_workers(session):
            return None
        logs = _logs_dir()
        staging = logs / f"worker-starting-{os.getpid()}-{time.monotonic_ns()}.log"
        env = {**os.environ, "GLIMPSE_DB_URL": db_url, "GLIMPSE_HOME": str(glimpse_home())}
        with staging.open("ab") as log_file:
            proc = subprocess.Popen(
                [sys.executable, "-m", "engine.jobs.worker", "--idle-exit", "600"],
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        staging.rename(logs / f"worker-{proc.pid}.log")
        _spawned.append(proc)
        register_worker(session, worker_id_for(proc.pid), proc.pid)
        return proc.pid
    finally:
        session.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m engine.jobs.worker", description="Run a Glimpse job worker."
    )
    parser.add_argument("--once", action="store_true", help="run at most one job, then exit")
    parser.add_argument("--max-jobs", type=int, default=None)
    parser.add_argument("--kind", action="append", dest="kinds", help="only claim jobs of this kind")
    parser.add_argument("--idle-exit", type=float, default=None, help="exit after this many idle seconds")
    parser.add_argument("--poll", type=float, default=0.5, help="seconds between queue polls when idle")
    args = parser.parse_args(argv)
    run_worker(
        once=args.once, poll_s=args.poll, max_jobs=args.max_jobs, kinds=args.kinds, idle_exit_s=args.idle_exit
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
