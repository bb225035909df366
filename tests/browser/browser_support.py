"""Helpers the browser tests share (imported by name: a conftest module is not importable)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("GLIMPSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout_s: float, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer in {timeout_s} s")


def stop(proc: subprocess.Popen) -> None:
    """Stop a process group this fixture started (by its id), SIGKILL if it lingers."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


# Thousands of tiny frames on disk, put straight into the catalog (no dependency on a recording reader).
# Each frame is a flat gray of ``number % 251``, so a test can tell from the painted pixels which frame
# the browser shows.


def write_frames(folder: Path, n_frames: int, first_number: int = 1, size: int = 32) -> list[int]:
    folder.mkdir(parents=True, exist_ok=True)
    numbers = list(range(first_number, first_number + n_frames))
    for number in numbers:
        image = np.full((size, size), number % 251, dtype=np.uint8)
        cv2.imwrite(str(folder / f"img{number}.png"), image)
    return numbers


# the script run is over and no element is still a loading skeleton
IDLE = """() => document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState === 'notRunning'
           && document.querySelectorAll('[data-testid="stSkeleton"]').length === 0"""


def settle(page) -> None:  # noqa: ANN001
    """Wait until the script run is over and no element is still a loading skeleton."""
    page.wait_for_function(IDLE, timeout=60_000)
