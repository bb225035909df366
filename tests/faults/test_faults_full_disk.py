"""Issue 16 item 4: GLIMPSE_HOME on a real 20 MB tmpfs. A corpus that cannot fit is refused before
anything is drawn, saying how much it needs; a training that fills the disk ends in one sentence, its
job and run are marked failed with that reason, and its run folder holds nothing half-written."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from faults_support import cli_env, run_cli
from sqlalchemy import select
from typer.testing import CliRunner

from db.schema import Job, Run
from db.session import default_url, session_factory
from engine.cli import app

DISK_MB = 20
LEFT_KB = 700  # what a training finds free: the probe that once left a job "running 0%"


@pytest.fixture()
def small_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A real 20 MB tmpfs mounted for this test, as GLIMPSE_HOME."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (the tests run as root here and in CI)")
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "tmpfs", str(mount)], check=True)
    home = mount / "home"
    monkeypatch.setenv("GLIMPSE_HOME", str(home))
    monkeypatch.delenv("GLIMPSE_DB_URL", raising=False)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _jobs() -> list[Job]:
    with session_factory(default_url())() as session:
        return list(session.scalars(select(Job).order_by(Job.id)))


def test_a_corpus_that_cannot_fit_is_refused_saying_what_it_needs(small_disk: Path) -> None:
    result = run_cli("synth", env=cli_env())
    assert result.returncode == 2, result.stdout + result.stderr
    said = " ".join(result.stderr.split())
    assert f"no space left on {small_disk} for the synthetic corpus (needs ~" in said, said
    assert "Traceback" not in result.stderr + result.stdout
    assert not (small_disk / "home" / "datasets").exists() or not any(
        (small_disk / "home" / "datasets").iterdir()
    )
    (job,) = _jobs()
    assert job.status == "failed" and job.error is not None and job.error.startswith("no space left on")


def test_a_training_that_fills_the_disk_fails_cleanly(small_disk: Path) -> None:
    runner = CliRunner()
    made = runner.invoke(app, ["synth", "--tiny"])
    assert made.exit_code == 0, made.output
    shutil.rmtree(small_disk / "home" / "cache", ignore_errors=True)
    free_kb = shutil.disk_usage(small_disk).free // 1024
    with (small_disk / "filler").open("wb") as filler:
        os.posix_fallocate(filler.fileno(), 0, (free_kb - LEFT_KB) * 1024)
    trained = runner.invoke(app, ["train", "--stage", "fir", "--tiny"])
    assert trained.exit_code == 2, trained.output
    said = " ".join(trained.output.split())
    assert f"error: no space left on {small_disk}" in said and "Traceback" not in said, said
    job = _jobs()[-1]
    assert job.kind == "train" and job.status == "failed", (job.status, job.error)
    assert job.error is not None and job.error.startswith(f"no space left on {small_disk}")
    with session_factory(default_url())() as session:
        runs = {run.id: run.status for run in session.scalars(select(Run).where(Run.job_id == job.id))}
    folders = {p.name: sorted(q.name for q in p.iterdir()) for p in (small_disk / "home" / "runs").iterdir()}
    assert set(runs.values()) == {"failed"}
    assert {name: folders[name] for name in runs} == {name: ["config.json"] for name in runs}
    assert set(folders) <= set(runs)  # no folder without its run row
    assert not list((small_disk / "home").glob(".glimpse-reserve-*"))  # the job's reserve is gone
