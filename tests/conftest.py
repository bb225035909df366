"""Shared fixtures: an isolated GLIMPSE_HOME with a migrated catalog per test, and a real PostgreSQL.

``backend_url`` runs a test once on SQLite and once on a fresh database of a throwaway PostgreSQL 15
cluster that this session starts itself (``initdb`` into a temp dir as user ``postgres``, listening on
127.0.0.1 on a free port, its unix socket inside the temp dir) and stops at the end — no manual step.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from db.session import default_url, session_factory

PG_BIN = Path(os.environ.get("GLIMPSE_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_USER = "postgres"
BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(autouse=True)
def in_process_executor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run the local executor in their own process (``GLIMPSE_WORKERS=1``), so what a test patches
    reaches the code it tests and no test pays a worker pool's start-up; the pool has its own tests
    (tests/jobs/test_jobs_pool.py, tests/train/test_pool_ablation.py), which pass their worker count."""
    monkeypatch.setenv("GLIMPSE_WORKERS", "1")


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data home (catalog, cache, runs) for one test."""
    path = tmp_path / "glimpse-home"
    path.mkdir()
    monkeypatch.setenv("GLIMPSE_HOME", str(path))
    monkeypatch.delenv("GLIMPSE_DB_URL", raising=False)
    return path


@pytest.fixture()
def db_url(home: Path) -> str:
    return default_url(home)


@pytest.fixture()
def session(db_url: str) -> Iterator[Session]:
    """A session on a freshly migrated catalog."""
    with session_factory(db_url)() as s:
        yield s


@dataclass
class PostgresCluster:
    """A running throwaway cluster; ``new_database`` hands each test an empty database of its own."""

    root: Path
    port: int
    _names: Iterator[int]

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, *args: str | Path, check: bool = True) -> None:
        command = _as_postgres(PG_BIN / "pg_ctl", "-D", self.root / "data", *args)
        subprocess.run(command, check=check, capture_output=True)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=300"
        self._pg_ctl("-o", options + " -c fsync=off", "-l", self.root / "server.log", "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """``pg_ctl stop -m MODE``: fast ends every session (clients see AdminShutdown), closes the port."""
        self._pg_ctl("-m", mode, "-w", "stop", check=False)

    def new_database(self) -> str:
        name = f"glimpse_test_{next(self._names)}"
        admin = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return self.url(name)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(*command: str | Path) -> list[str]:
    """Run as the ``postgres`` user when we are root (PostgreSQL refuses to run as root)."""
    args = [str(c) for c in command]
    return ["runuser", "-u", PG_USER, "--", *args] if os.geteuid() == 0 else args


def _start_cluster() -> PostgresCluster:
    """initdb a cluster into a temp dir and start it on a free loopback port (as ``postgres`` when root)."""
    initdb = PG_BIN / "initdb"
    if not initdb.exists():
        pytest.skip(f"PostgreSQL tests need {initdb} (Debian package postgresql-15); it is absent here")
    root = Path(tempfile.mkdtemp(prefix="glimpse-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, PG_USER, PG_USER)
    port = _free_port()
    subprocess.run(
        _as_postgres(initdb, "-D", root / "data", "-U", PG_USER, "--auth=trust", "-E", "UTF8", "--no-sync"),
        check=True,
        capture_output=True,
    )
    cluster = PostgresCluster(root=root, port=port, _names=itertools.count())
    cluster.start()
    return cluster


def _remove_cluster(cluster: PostgresCluster) -> None:
    cluster.stop("immediate")
    shutil.rmtree(cluster.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    """Start a PostgreSQL 15 cluster for this test session; stop and delete it afterwards."""
    cluster = _start_cluster()
    try:
        yield cluster
    finally:
        _remove_cluster(cluster)


@pytest.fixture()
def own_pg_cluster() -> Iterator[PostgresCluster]:
    """A cluster of this test's own, which it may stop and restart (the shared one must stay up)."""
    cluster = _start_cluster()
    try:
        yield cluster
    finally:
        _remove_cluster(cluster)


@pytest.fixture(params=BACKENDS)
def backend_url(request: pytest.FixtureRequest, home: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated, empty catalog on each backend, set as GLIMPSE_DB_URL for code and child processes."""
    if request.param == "sqlite":
        url = default_url(home)
    else:
        url = request.getfixturevalue("pg_cluster").new_database()
    monkeypatch.setenv("GLIMPSE_DB_URL", url)
    session_factory(url)  # runs the migrations
    return url
