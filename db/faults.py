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
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import text
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
_SHORT_WRITE = re.compile(r"\d+ requested and \d+ written")  # numpy's full-disk error (no errno)
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


def mount_point(path: str | Path) -> Path:
    """The mount point of the file system ``path`` is (or would be) on: what "no space left on" names."""
    current = Path(os.path.abspath(path))
    while not current.exists() and current != current.parent:
        current = current.parent
    while not os.path.ismount(current) and current != current.parent:
        current = current.parent
    return current


def free_mb(path: str | Path) -> float:
    try:
        return shutil.disk_usage(mount_point(path)).free / 1e6
    except OSError:
        return 0.0


def no_space(path: str | Path, what: str, need_mb: float | None = None) -> NoSpace:
    """The one sentence for a full disk: which mount, for what, how much it needs when known."""
    mount, free = mount_point(path), free_mb(path)
    need = f"needs ~{need_mb:.0f} MB, " if need_mb is not None else ""
    return NoSpace(
        f"no space left on {mount} for {what} ({need}{free:.1f} MB free)",
        hint="free some space there (or set GLIMPSE_HOME to a larger disk), then try again",
    )


def catalog_fault(error: BaseException, busy_wait_s: float | None = None) -> CatalogFault | None:
    """The project's error for a driver error that is a fault of the catalog (None: a real bug)."""
    if isinstance(error, CatalogFault):
        return error
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        target = error.filename or os.environ.get("GLIMPSE_HOME", ".glimpse")
        return no_space(target, f"writing {Path(target).name}" if error.filename else "Glimpse's files")
    if isinstance(error, OSError) and error.errno is None and _SHORT_WRITE.search(str(error)):
        home = os.environ.get("GLIMPSE_HOME", ".glimpse")  # numpy says "N requested and M written"
        return no_space(home, "Glimpse's files") if free_mb(home) < 1.0 else None
    if not isinstance(error, DBAPIError):
        return None
    text = str(error.orig).lower()
    sqlstate = str(getattr(error.orig, "sqlstate", "") or "")
    if any(marker in text for marker in _BUSY):
        return CatalogBusy(busy_message(_sqlite_file(), busy_wait_s or sqlite_busy_timeout_s()))
    if any(marker in text for marker in _FULL) or sqlstate == "53100":
        database = _sqlite_file()
        if database is None:  # the database server's own disk
            return NoSpace("no space left on the catalog's database server", hint="free space there")
        return no_space(database, "the catalog")
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


RESERVE_BYTES = 512 * 1024  # what recording a job's end needs at most: a few catalog pages and a line


def reserve_room(job_id: int) -> Path | None:
    """A small file allocated beside the catalog (SQLite) while a job runs; on a full disk, removing it
    (``release_room``) is the room the job needs to record that it failed. None when even that much is
    not free, or the catalog is a server's."""
    database = _sqlite_file()
    if database is None:
        return None
    path = database.parent / f".glimpse-reserve-job-{job_id}"
    try:
        with path.open("wb") as handle:
            os.posix_fallocate(handle.fileno(), 0, RESERVE_BYTES)
    except OSError:
        path.unlink(missing_ok=True)
        return None
    return path


def release_room(reserve: Path | None) -> None:
    if reserve is not None:
        reserve.unlink(missing_ok=True)


def make_room(session: Session) -> None:
    """On SQLite, fold the write-ahead log into the catalog file and truncate it: on a full disk, the
    room a job needs to record that it failed (the log otherwise only shrinks when the last connection
    closes)."""
    with contextlib.suppress(DBAPIError):
        session.rollback()
        if session.get_bind().dialect.name == "sqlite":
            session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            session.commit()


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
