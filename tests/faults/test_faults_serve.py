"""Issue 16 item 1: SIGTERM to `glimpse serve` stops the server; no Streamlit is left holding the port."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path

from faults_support import CLI, ROOT, cli_env, free_port, port_is_free
from jobs.jobs_support import wait_for  # type: ignore[import-not-found]


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_sigterm_to_serve_leaves_no_server_behind(home: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        cwd=ROOT,
        env=cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own group: whatever it spawns is findable (and killable) by pgid
    )
    try:
        wait_for(lambda: not port_is_free(port) or proc.poll() is not None, 120, "the workbench's port")
        assert proc.poll() is None, "glimpse serve exited before serving"
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        wait_for(lambda: not _group_alive(proc.pid), 30, "every process of `glimpse serve` to end")
        assert port_is_free(port)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.wait(timeout=10)
