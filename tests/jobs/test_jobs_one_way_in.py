"""One way in: a CLI command is a job like the page's (row, progress, log), inline by default or on a
real worker with --queue; a cancel ends a real train job `cancelled` with its run `cancelled`, whether a
worker runs it or the CLI does."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from jobs_support import ROOT, start_worker, stop, wait_for, wait_status
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from db.schema import Job, Run
from engine.cli import app
from engine.jobs import queue, service
from engine.train.config import AblationConfig

runner = CliRunner()
LONG_EPOCHS = 5000  # long enough that the cancel always lands while the encoder trains


def _tiny_catalog(session: Session, home: Path) -> None:
    """The training tests' drawn catalog (loaded by path: that conftest is not on this folder's path)."""
    path = ROOT / "tests" / "train" / "conftest.py"
    spec = importlib.util.spec_from_file_location("glimpse_train_tiny_catalog", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build_tiny_catalog(session, home / "datasets" / "tiny")


@pytest.fixture()
def fast(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    monkeypatch.setenv("GLIMPSE_HEARTBEAT_S", "0.2")
    monkeypatch.setenv("GLIMPSE_LOST_AFTER_S", "30")


def _only_job(session: Session) -> Job:
    (job,) = queue.list_jobs(session)
    return job


def _runs(session: Session, job_id: int) -> list[Run]:
    session.commit()
    return list(
        session.scalars(select(Run).where(Run.job_id == job_id).execution_options(populate_existing=True))
    )


def _training_started(session: Session, job_id: int) -> bool:
    """The job's run exists and its encoder has logged an epoch: the cancel will land mid-training."""
    runs = _runs(session, job_id)
    lines = [row.line for row in queue.job_logs(session, job_id)]
    return bool(runs) and runs[0].status == "running" and any(" epoch " in line for line in lines)


def test_cli_train_runs_inline_as_a_job_with_its_log(fast: None, session: Session, home: Path) -> None:
    _tiny_catalog(session, home)
    result = runner.invoke(app, ["train", "--stage", "er", "--tiny", "--device", "cpu"])
    assert result.exit_code == 0, result.output
    job = _only_job(session)
    assert (job.kind, job.status, job.progress) == ("train", "succeeded", 1.0)
    assert job.params["variant"] == "er" and job.worker_id.endswith(":inline")
    (run,) = _runs(session, job.id)
    assert job.result["run_id"] == run.id and run.status == "succeeded"
    assert f"run {run.id}: er seed 0" in result.output
    lines = [row.line for row in queue.job_logs(session, job.id)]
    assert lines[0].startswith("running inline in process")
    assert any(line.startswith("er epoch 1/1: ce ") for line in lines)  # the encoder's progress
    assert any(line.startswith("er seed 0: UF1 ") for line in lines)


def test_cli_queue_hands_the_job_to_a_real_worker(fast: None, session: Session, home: Path) -> None:
    result = runner.invoke(app, ["synth", "--tiny", "--no-ingest", "--workers", "1", "--queue"])
    assert result.exit_code == 0, result.output
    job = _only_job(session)
    assert f"queued job {job.id} (synth)" in result.output and job.status == "queued"
    assert "no worker is running" in result.output
    assert not (home / "datasets" / "synthetic" / "manifest.json").exists()  # nothing ran here
    proc = start_worker("--max-jobs", "1")
    try:
        assert proc.wait(timeout=300) == 0
    finally:
        stop(proc)
    job = queue.get_job(session, job.id)
    assert job.status == "succeeded", job.error
    assert job.worker_id.endswith(f":{proc.pid}")
    assert job.result["generated"]["n_me_clips"] == 12
    assert (home / "datasets" / "synthetic" / "manifest.json").is_file()
    assert "started by worker" in queue.job_logs(session, job.id)[0].line


def _long_train_params() -> dict:
    params = {**AblationConfig.tiny().to_dict(), "variant": "er", "seed": 0, "device": "cpu"}
    params["encoder"]["epochs"] = LONG_EPOCHS
    return params


def test_cancel_a_real_train_job_through_a_real_worker(fast: None, session: Session, home: Path) -> None:
    _tiny_catalog(session, home)
    job_id = service.submit(session, "train", _long_train_params())
    proc = start_worker("--max-jobs", "1")
    try:
        wait_for(lambda: _training_started(session, job_id), 300, "the train job's encoder epochs")
        assert queue.request_cancel(session, job_id) == "running"
        job = wait_status(session, job_id, ("cancelled", "failed", "succeeded"), 120)
        assert proc.wait(timeout=60) == 0
    finally:
        stop(proc)
    assert job.status == "cancelled", job.error
    assert [r.status for r in _runs(session, job_id)] == ["cancelled"]


def test_cancel_from_the_page_stops_an_inline_cli_train(fast: None, session: Session, home: Path) -> None:
    _tiny_catalog(session, home)
    cli = subprocess.Popen(
        [sys.executable, "-c", "from engine.cli import main; main()", "train", "--stage", "er", "--tiny"]
        + ["--device", "cpu", "--epochs", str(LONG_EPOCHS)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        job = wait_for(lambda: session.scalar(select(Job.id)), 120, "the CLI's job row")
        wait_for(lambda: _training_started(session, job), 300, "the inline job's encoder epochs")
        assert queue.request_cancel(session, job) == "running"  # what the Train page's button does
        assert cli.wait(timeout=120) == 130, cli.stdout.read().decode() if cli.stdout else ""
    finally:
        stop(cli)
    row = queue.get_job(session, job)
    assert row.status == "cancelled"
    assert [r.status for r in _runs(session, job)] == ["cancelled"]
    assert "stopped on request" in [line.line for line in queue.job_logs(session, job)]
