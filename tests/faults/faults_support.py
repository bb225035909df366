"""Helpers for the fault tests: the real `glimpse` CLI in a child process, free ports, a held SQLite lock."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "from engine.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:``port`` (a fresh server could bind it)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def cli_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **extra}
    return env


def run_cli(
    *args: str, env: Mapping[str, str] | None = None, timeout_s: float = 300
) -> subprocess.CompletedProcess:
    """``glimpse ARGS`` as a user runs it: a real process, its exit code, stdout and stderr."""
    return subprocess.run(
        [*CLI, *args],
        cwd=ROOT,
        env=dict(env or cli_env()),
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )


_HOLD_WRITE_LOCK = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")  # the write lock, held until told to let go
print("locked", flush=True)
sys.stdin.readline()
connection.execute("ROLLBACK")
"""


@contextmanager
def write_lock_held(catalog: Path) -> Iterator[subprocess.Popen]:
    """Another process holds ``catalog``'s SQLite write lock (BEGIN IMMEDIATE) until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_WRITE_LOCK, str(catalog)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        if holder.poll() is None and holder.stdin is not None:
            holder.stdin.write("\n")
            holder.stdin.flush()
        holder.wait(timeout=30)
