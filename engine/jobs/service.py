"""The one way in for long work: every door (the workbench, ``glimpse jobs submit``, ``glimpse train`` …)
makes a job row here, so each run has a job with progress and a log in the Train page's list.

- ``submit`` checks the kind against the handler registry and queues the job for a worker.
- ``run_inline`` adds it as already running for this process and runs it here (the CLI's default:
  the rich bar in the terminal, the same progress and log lines in the job's row); it heartbeats the
  job itself so a worker's lost-job sweep leaves it alone, and a cancel from the page stops it.
- ``execute`` runs a claimed job's handler and records how it ended; the worker's child
  (``engine.jobs.run_one``) and ``run_inline`` share it, so both doors end jobs the same way.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from db.errors import CatalogFault, NoSpace
from db.faults import catalog_fault, make_room, release_room, reserve_room, retry_transient
from db.people import local_user_name
from db.schema import Job
from db.session import default_url, session_factory
from engine.config import settings
from engine.errors import GlimpseError
from engine.jobs import queue
from engine.jobs.handlers import get_job_kind, jsonable
from engine.jobs.reporter import JobReporter
from engine.progress import Cancelled, Reporter, TeeReporter


def submit(session: Session, kind: str, params: dict[str, Any] | None = None, submitted_by: str = "") -> int:
    """Queue a job of a registered kind for ``submitted_by`` (a person's name); returns its id (unknown
    kinds fail here, before any row)."""
    get_job_kind(kind)
    return queue.enqueue(session, kind, params, submitted_by)


def execute(
    session: Session,
    job: Job,
    reporter: JobReporter,
    display: Reporter | None = None,
    reraise: bool = False,
) -> str:
    """Run running job ``job``'s handler and record its end: succeeded (with its result), cancelled
    (``Cancelled``, Ctrl-C, or a cancel seen after the last step) or failed (the error, traceback in the
    log; a fault of the catalog or the disk — busy, unreachable, no space — is one sentence, no
    traceback). ``display`` also gets the progress (the CLI's bar); ``reraise`` re-raises the handler's
    error (or Ctrl-C) after recording it, so the CLI shows it as before; a cancel is not an error, it
    returns. The end is recorded with bounded retries while the catalog is busy or restarting.
    Returns the job's final status."""
    watched: Reporter = TeeReporter(reporter, display) if display is not None else reporter
    job_id = job.id
    patience_s = settings().lost_after_s  # past this, the job reads as lost anyway
    reserve = reserve_room(job_id)  # room to record the end even if the job fills the disk

    def write_end(status: str, log: str | None, level: str, **end: Any) -> None:
        if log is not None:
            retry_transient(lambda: queue.append_log(session, job_id, log, level=level), patience_s, session)
        retry_transient(lambda: queue.finish(session, job_id, status, **end), patience_s, session)

    def record(status: str, log: str | None = None, level: str = "info", **end: Any) -> None:
        try:
            write_end(status, log, level, **end)
        except NoSpace:  # a full disk: free the reserve, shrink the catalog's log, then say it once more
            release_room(reserve)
            make_room(session)
            write_end(status, log if log is None or len(log) < 1000 else log[-1000:], level, **end)

    try:
        _run_and_record(job, watched, reporter, record, reraise)
    finally:
        release_room(reserve)
    return retry_transient(lambda: queue.get_job(session, job_id).status, patience_s, session)


def _run_and_record(
    job: Job, watched: Reporter, reporter: JobReporter, record: Callable[..., None], reraise: bool
) -> None:
    """Run the handler and record how it ended (see ``execute``)."""
    job_id = job.id
    try:
        result = get_job_kind(job.kind).run(dict(job.params or {}), watched, job_id)
        with contextlib.suppress(CatalogFault):  # buffered progress: the end matters more
            reporter.flush()
        if reporter.cancelled():
            record("cancelled")
        else:
            record("succeeded", result=jsonable(result or {}))
    except (Cancelled, KeyboardInterrupt) as stop:
        with contextlib.suppress(CatalogFault):
            reporter.flush()
        record("cancelled", "stopped on request")
        if reraise and isinstance(stop, KeyboardInterrupt):
            raise
    except Exception as error:  # any crash must end the job as failed, with its traceback logged
        fault = catalog_fault(error)
        if fault is not None:  # not a bug: one sentence, in the log and as the job's error
            record("failed", str(fault), "error", error=str(fault))
        elif isinstance(error, GlimpseError):
            record("failed", traceback.format_exc(), "error", error=str(error))
        else:
            record("failed", traceback.format_exc(), "error", error=f"{type(error).__name__}: {error}")
        if reraise:
            if fault is not None and fault is not error:
                raise fault from error
            raise


@contextmanager
def _heartbeat(db_url: str, job_id: int, every_s: float) -> Iterator[None]:
    """Heartbeat ``job_id`` from a thread while the block runs (its own session: sessions are not shared
    between threads)."""
    stop = threading.Event()

    def beat() -> None:
        session = session_factory(db_url)()
        try:
            while not stop.wait(every_s):
                try:
                    queue.heartbeat(session, job_id)
                except DBAPIError as error:  # catalog busy or restarting: the next beat tries again
                    if catalog_fault(error) is None:
                        raise
                    with contextlib.suppress(DBAPIError):
                        session.rollback()
        finally:
            session.close()

    thread = threading.Thread(target=beat, name=f"glimpse-job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def run_inline(kind: str, params: dict[str, Any], display: Reporter | None = None) -> Job:
    """Queue a job on the configured catalog and run it in this process at once (see the module
    docstring); returns the final row. A GlimpseError (or any error) of the handler is recorded on
    the job, then re-raised."""
    db_url = default_url()  # the handlers open their sessions on the same catalog
    get_job_kind(kind)  # an unknown kind fails before any row exists
    session = session_factory(db_url)()
    try:
        worker_id = f"{socket.gethostname()}:{os.getpid()}:inline"
        job = queue.start(session, kind, params, worker_id, submitted_by=local_user_name())
        job_id = job.id
        queue.set_pid(session, job_id, os.getpid())
        queue.append_log(session, job_id, f"running inline in process {os.getpid()} (glimpse {kind})")
        reporter = JobReporter(db_url, job_id)
        try:
            with _heartbeat(db_url, job_id, settings().heartbeat_s):
                execute(session, job, reporter, display, reraise=True)
        finally:
            reporter.close()
        return queue.get_job(session, job_id)
    finally:
        session.close()
