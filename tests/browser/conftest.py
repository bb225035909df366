"""A real workbench for the browser walk: tiny synthetic corpus, a `glimpse worker`, `streamlit run`,
and Debian's Chromium driven by Playwright (``playwright install`` cannot download here)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, stop, wait_http, write_frames
from sqlalchemy import insert

from db.schema import Clip, Dataset, Frame, Subject
from db.session import session_scope


@dataclass
class Workbench:
    url: str
    home: Path
    db_url: str


def _wait_worker(db_url: str, pid: int, timeout_s: float = 60) -> None:
    from sqlalchemy import select

    from db.schema import Worker
    from db.session import session_scope

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with session_scope(db_url) as s:
            if s.scalar(select(Worker.id).where(Worker.pid == pid, Worker.stopped_at.is_(None))):
                return
        time.sleep(0.3)
    raise TimeoutError("the worker did not register")


def _stray_workers(db_url: str, known: set[int]) -> list[int]:
    """Workers the app itself spawned into this test catalog (ensure_worker), to stop them too."""
    from sqlalchemy import select

    from db.schema import Worker
    from db.session import session_scope

    with session_scope(db_url) as s:
        pids = set(s.scalars(select(Worker.pid).where(Worker.stopped_at.is_(None))))
    return sorted(pids - known)


@pytest.fixture(scope="module")
def workbench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM} (apt-get install -y chromium; `make test` does it)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must drive a real browser, never skip it
        pytest.skip(message)
    home = tmp_path_factory.mktemp("browser") / "home"
    home.mkdir()
    db_url = f"sqlite:///{home / 'catalog.sqlite'}"
    env = {**os.environ, "GLIMPSE_HOME": str(home), "GLIMPSE_DB_URL": db_url, "OMP_NUM_THREADS": "1"}
    script = Path(sys.executable).with_name("glimpse")
    glimpse = [str(script)] if script.exists() else [shutil.which("glimpse") or "glimpse"]
    subprocess.run(
        [*glimpse, "synth", "--tiny", "--workers", "1"], env=env, cwd=ROOT, check=True, timeout=300
    )
    worker = subprocess.Popen(
        [*glimpse, "worker", "--idle-exit", "600"], env=env, cwd=ROOT, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=(home / "worker.err").open("wb"),
    )  # fmt: skip
    port = free_port()
    app = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        env=env, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
        stderr=(home / "streamlit.err").open("wb"),
    )  # fmt: skip
    try:
        _wait_worker(db_url, worker.pid)
        wait_http(f"http://127.0.0.1:{port}/_stcore/health", 90, app)
        yield Workbench(url=f"http://127.0.0.1:{port}", home=home, db_url=db_url)
    finally:
        strays = _stray_workers(db_url, {worker.pid})
        stop(app)
        stop(worker)
        for pid in strays:  # started by the app under test, in this test's catalog
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)


@pytest.fixture(scope="module")
def browser_page(workbench: Workbench) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1700})
        page.set_default_timeout(30_000)
        try:
            yield page
        finally:
            browser.close()


# ---------------------------------------------------------------- a synthetic long recording
def add_recording(db_url: str, root: Path, n_frames: int, first_number: int = 1, fps: float = 200.0) -> int:
    """A dataset with one recording of ``n_frames`` frames; returns the clip id."""
    numbers = write_frames(root / "rec01", n_frames, first_number)
    with session_scope(db_url) as s:
        dataset = Dataset(
            name=f"recording-{root.name}", format="folder", root=str(root), fps=fps, is_synthetic=True
        )
        subject = Subject(dataset=dataset, code="r01")
        clip = Clip(
            dataset=dataset, subject=subject, name="rec01", path="rec01", kind="recording", fps=fps,
            n_frames=n_frames, first_frame=numbers[0], last_frame=numbers[-1],
        )  # fmt: skip
        s.add_all([dataset, subject, clip])
        s.flush()
        s.execute(
            insert(Frame),
            [
                {"clip_id": clip.id, "index": i, "number": n, "path": f"rec01/img{n}.png"}
                for i, n in enumerate(numbers)
            ],
        )
        return int(clip.id)


@pytest.fixture
def make_recording(workbench: Workbench, tmp_path: Path):  # noqa: ANN201
    def make(n_frames: int, first_number: int = 1) -> int:
        return add_recording(workbench.db_url, tmp_path / "recording", n_frames, first_number)

    return make
