"""A Reporter that writes into a job's catalog row, so the UI can watch work running in another process."""

from __future__ import annotations

import contextlib
import time
from functools import lru_cache

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from db import queries
from db.faults import catalog_fault
from db.schema import JobLog, utcnow
from db.session import make_engine, session_factory
from engine.jobs import queue

QUICK_BUSY_TIMEOUT_MS = 250


@lru_cache(maxsize=4)
def _quick_sessions(db_url: str) -> sessionmaker[Session]:
    """Sessions that give up on SQLite's write lock after a moment instead of 30 s.

    The handler itself may hold the lock (an ingest is one long transaction) while it reports progress
    from the same thread: waiting for it would only time out. Progress and log lines are buffered and
    written once the lock is free.
    """
    engine = make_engine(db_url, busy_timeout_s=QUICK_BUSY_TIMEOUT_MS / 1000)
    return sessionmaker(bind=engine, expire_on_commit=False)


class JobReporter:
    """Progress, log lines and the cancel flag of one job, through short committed transactions.

    Progress writes are throttled (at most one per ``min_interval_s``; the latest value is kept and
    flushed) because training loops report far more often than anyone can watch, and every write takes
    SQLite's lock. ``cancelled()`` is cached for ``cancel_check_s`` for the same reason. When the
    catalog is locked, writes wait (buffered) and are retried after ``retry_after_s``.
    """

    def __init__(
        self,
        db_url: str,
        job_id: int,
        min_interval_s: float = 0.25,
        cancel_check_s: float = 1.0,
        retry_after_s: float = 1.0,
    ) -> None:
        self.db_url = db_url
        self.job_id = job_id
        self._session = session_factory(db_url)()  # reads, and the final flush (waits for the lock)
        self._quick = _quick_sessions(db_url)()
        self._min_interval_s = min_interval_s
        self._cancel_check_s = cancel_check_s
        self._retry_after_s = retry_after_s
        self._last_write = -1e9
        self._blocked_until = 0.0
        self._pending: tuple[float, str] | None = None
        self._lines: list[JobLog] = []
        self._last_cancel_check = -1e9
        self._cancelled = False

    def progress(self, fraction: float, message: str = "") -> None:
        self._pending = (max(0.0, min(1.0, float(fraction))), str(message)[:1000])
        if fraction >= 1.0 or time.monotonic() - self._last_write >= self._min_interval_s:
            self._write(self._quick)

    def log(self, line: str, level: str = "info") -> None:
        level = level if level in queue.LOG_LEVELS else "info"
        self._lines.append(
            JobLog(job_id=self.job_id, ts=utcnow(), level=level, line=str(line)[: queue.MAX_LOG_LINE])
        )
        self._write(self._quick)

    def flush(self) -> None:
        """Write whatever is buffered, waiting for the catalog's lock if need be."""
        self._write(self._session, force=True)

    def _write(self, session: Session, force: bool = False) -> None:
        now = time.monotonic()
        if (self._pending is None and not self._lines) or (not force and now < self._blocked_until):
            return
        pending, lines = self._pending, list(self._lines)
        try:
            session.add_all(lines)
            if pending is not None:
                queries.set_job_progress(session, self.job_id, pending[0], pending[1])
            session.commit()
        except DBAPIError as error:  # busy, or the database restarting: keep the lines, write them later
            fault = catalog_fault(error)
            if fault is None:
                raise
            with contextlib.suppress(DBAPIError):
                session.rollback()
            # the rolled-back lines were expunged; write fresh copies next time
            self._lines = [JobLog(job_id=r.job_id, ts=r.ts, level=r.level, line=r.line) for r in lines]
            self._blocked_until = now + self._retry_after_s
            if force:
                raise fault from error
            return
        self._lines = self._lines[len(lines) :]
        if self._pending == pending:
            self._pending = None
        self._last_write = time.monotonic()

    def cancelled(self) -> bool:
        """True once a cancel was requested, or once the job is no longer running (e.g. marked lost)."""
        if self._cancelled:
            return True
        now = time.monotonic()
        if now - self._last_cancel_check >= self._cancel_check_s:
            self._last_cancel_check = now
            try:
                self._session.commit()
                state = queries.cancel_state(self._session, self.job_id)
                self._session.commit()
            except DBAPIError as error:  # catalog busy or restarting: ask again at the next check
                if catalog_fault(error) is None:
                    raise
                with contextlib.suppress(DBAPIError):
                    self._session.rollback()
                return self._cancelled
            self._cancelled = state is None or state[0] or state[1] != "running"
        return self._cancelled

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self._session.close()
            self._quick.close()
