"""Engine and session factory for the catalog; SQLite gets WAL, foreign keys and a busy timeout."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_ENV = (
    "GLIMPSE_SQLITE_BUSY_S"  # how long a write waits for SQLite's lock (SQLite retries meanwhile)
)
SQLITE_BUSY_DEFAULT_S = 30.0


def sqlite_busy_timeout_s() -> float:
    """How long a write waits for another process's SQLite write lock before it gives up: SQLite's busy
    handler retries the lock, sleeping between tries, for this long (``GLIMPSE_SQLITE_BUSY_S``)."""
    return float(os.environ.get(SQLITE_BUSY_ENV, SQLITE_BUSY_DEFAULT_S))


def default_url(home: Path | None = None) -> str:
    """GLIMPSE_DB_URL if set, else ``sqlite:///<GLIMPSE_HOME>/catalog.sqlite``."""
    url = os.environ.get("GLIMPSE_DB_URL")
    if url:
        return url
    home = home or Path(os.environ.get("GLIMPSE_HOME", ".glimpse"))
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(home / 'catalog.sqlite').resolve()}"


def _sqlite_pragmas(busy_timeout_s: float) -> Callable[[Any, Any], None]:
    """The connect hook that sets each new SQLite connection's pragmas (WAL, foreign keys, busy wait)."""

    def set_pragmas(dbapi_connection: Any, _record: Any) -> None:  # DB-API objects
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return set_pragmas


def make_engine(url: str | None = None, busy_timeout_s: float | None = None) -> Engine:
    """An engine for ``url`` (default: the home's catalog). On SQLite a writer waits up to
    ``busy_timeout_s`` (default: ``sqlite_busy_timeout_s()``) for the single write lock."""
    url = url or default_url()
    if url.startswith("sqlite"):
        busy_s = sqlite_busy_timeout_s() if busy_timeout_s is None else busy_timeout_s
        engine = create_engine(url, connect_args={"timeout": busy_s})
        event.listen(engine, "connect", _sqlite_pragmas(busy_s))
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (the app and CLI call this on start)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


_UPGRADE_LOCK = threading.Lock()


@lru_cache(maxsize=8)
def _factory(url: str) -> sessionmaker[Session]:
    engine = make_engine(url)
    with _UPGRADE_LOCK:  # Alembic's context is process-global: two threads migrating at once break it
        upgrade(engine)
    return sessionmaker(bind=engine, expire_on_commit=False)


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    """A migrated, cached session factory for ``url`` (default: the configured catalog)."""
    return _factory(url or default_url())


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
