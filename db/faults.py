"""One sentence for a catalog that cannot answer: busy (another process holds SQLite's write lock longer
than Glimpse waits), unreachable (the database server restarting or gone), full (no space left).

``catalog_fault`` turns the driver's error into the project's error type (``db.errors``), so every door
(the CLI, the pages through ``engine.api``, a job's recorded end) shows the same sentence instead of a
traceback; ``retry_transient`` is the bounded retry the job layer wraps its short row writes in.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from db.errors import CatalogBusy, CatalogFault, CatalogUnreachable, NoSpace
from db.session import default_url, sqlite_busy_timeout_s

T = TypeVar("T")

_BUSY = ("database is locked", "database table is locked")
_FULL = ("database or disk is full", "no space left on device", "could not extend file")
_UNREACHABLE = (
    "connection refused",
    "could not connect",
    "connection failed",
    "server closed the connection",
    "terminating connection",
    "the database system is",  # … starting up / shutting down / in recovery mode
    "connection is closed",
    "consuming input failed",
)
_WAL_WRITE_LOCK_BYTE = 120  # SQLite's WAL index: the writer's lock byte in catalog.sqlite-shm
_RESERVED_BYTE = 0x40000001  # the rollback-journal mode's RESERVED lock in the database file


def _process_name(pid: int) -> str:
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return ""
    return " ".join(w.decode(errors="replace") for w in words if w)[:80]


def lock_holders(database: Path) -> list[int]:
    """Processes holding SQLite's write lock on ``database`` (Linux ``/proc/locks``; [] elsewhere)."""
    wanted: dict[int, int] = {}
    for path, byte in ((Path(f"{database}-shm"), _WAL_WRITE_LOCK_BYTE), (database, _RESERVED_BYTE)):
        try:
            wanted[os.stat(path).st_ino] = byte
        except OSError:
            continue
    holders: list[int] = []
    try:
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return holders
    for line in lines:
        fields = line.split()
        # "1: POSIX  ADVISORY  WRITE 17928 fe:00:2294905 120 120"
        if len(fields) < 8 or fields[1] != "POSIX" or fields[3] != "WRITE" or not fields[4].isdigit():
            continue
        inode = int(fields[5].rsplit(":", 1)[-1])
        start = int(fields[6]) if fields[6].isdigit() else -1
        pid = int(fields[4])
        if wanted.get(inode) == start and pid != os.getpid() and pid not in holders:
            holders.append(pid)
    return holders


def _sqlite_file() -> Path | None:
    """The configured catalog's file when it is SQLite (the lock a busy error is about)."""
    url = make_url(default_url())
    return Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None


def busy_message(database: Path | None, waited_s: float) -> str:
    holders = lock_holders(database) if database is not None else []
    who = (
        ", ".join(f"process {pid} ({_process_name(pid) or 'unknown'})" for pid in holders)
        if holders
        else "another process"
    )
    return (
        f"the catalog is busy: {who} holds its write lock longer than Glimpse waits ({waited_s:g} s);"
        " try again when it is done"
    )


def catalog_fault(error: BaseException, busy_wait_s: float | None = None) -> CatalogFault | None:
    """The project's error for a driver error that is a fault of the catalog (None: a real bug)."""
    if isinstance(error, CatalogFault):
        return error
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return NoSpace(f"no space left on the device of {error.filename or 'a file Glimpse writes'}")
    if not isinstance(error, DBAPIError):
        return None
    text = str(error.orig).lower()
    sqlstate = str(getattr(error.orig, "sqlstate", "") or "")
    if any(marker in text for marker in _BUSY):
        return CatalogBusy(busy_message(_sqlite_file(), busy_wait_s or sqlite_busy_timeout_s()))
    if any(marker in text for marker in _FULL) or sqlstate == "53100":
        return NoSpace("no space left on the catalog's device", hint="free some space, then try again")
    if (
        error.connection_invalidated
        or sqlstate.startswith("08")
        or sqlstate in ("57P01", "57P02", "57P03")
        or any(marker in text for marker in _UNREACHABLE)
    ):
        first = (
            str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else type(error.orig).__name__
        )
        return CatalogUnreachable(
            f"the catalog's database cannot be reached ({first})",
            hint="it may be restarting: try again in a moment",
        )
    return None


@contextmanager
def faults_as_errors() -> Iterator[None]:
    """Inside this block, a catalog or disk fault comes out as the project's error (one sentence);
    any other error as it was. The doors (the CLI, ``engine.api``) wrap their calls in it."""
    try:
        yield
    except (DBAPIError, OSError) as error:
        fault = catalog_fault(error)
        if fault is None:
            raise
        raise fault from error


def retry_transient(
    call: Callable[[], T],
    patience_s: float,
    session: Session | None = None,
    on_retry: Callable[[CatalogFault], None] | None = None,
) -> T:
    """``call()``, retried with a growing pause while the catalog is busy or unreachable, for up to
    ``patience_s``; then (or at once, for any other error) the error — a catalog fault as the project's
    error type. ``session`` is rolled back before each retry (its connection may be gone)."""
    deadline = time.monotonic() + patience_s
    pause = 0.2
    while True:
        try:
            return call()
        except Exception as error:
            fault = catalog_fault(error)
            if fault is None:
                raise
            if session is not None:
                with contextlib.suppress(Exception):  # a dead connection cannot roll back; the pool renews it
                    session.rollback()
            if not fault.transient or time.monotonic() + pause > deadline:
                raise fault from error
            if on_retry is not None:
                on_retry(fault)
            time.sleep(pause)
            pause = min(pause * 2, 2.0)
