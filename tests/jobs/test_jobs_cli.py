"""`glimpse worker` and `glimpse jobs …` through the real Typer app."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from engine.cli import app
from engine.cli.jobs import parse_params
from engine.errors import GlimpseError
from engine.jobs import queue, worker

runner = CliRunner()


def test_parse_params_reads_json_values_and_falls_back_to_text() -> None:
    assert parse_params(["seconds=0.5", "make_run=true", "name=casme", "ids=[1,2]"]) == {
        "seconds": 0.5,
        "make_run": True,
        "name": "casme",
        "ids": [1, 2],
    }
    with pytest.raises(GlimpseError, match="bad --param 'seconds'"):
        parse_params(["seconds"])


def test_submit_ls_show_cancel_requeue(home: Path, session: Session) -> None:
    result = runner.invoke(app, ["jobs", "submit", "sleep", "-p", "seconds=0.2", "-p", "make_run=true"])
    assert result.exit_code == 0, result.output
    assert "queued job 1 (sleep)" in result.output
    assert queue.get_job(session, 1).params == {"seconds": 0.2, "make_run": True}

    result = runner.invoke(app, ["jobs", "ls", "--status", "queued"])
    assert result.exit_code == 0 and "sleep" in result.output and "queued" in result.output
    assert "sleep" not in runner.invoke(app, ["jobs", "ls", "--status", "failed"]).output

    assert "job 1: cancelled" in runner.invoke(app, ["jobs", "cancel", "1"]).output
    result = runner.invoke(app, ["jobs", "requeue", "1"])
    assert result.exit_code == 0 and "job 1 requeued as job 2" in result.output
    result = runner.invoke(app, ["jobs", "show", "1"])
    assert result.exit_code == 0
    assert "cancelled" in result.output and "requeued as job 2" in result.output

    for args, message in (
        (["jobs", "show", "99"], "no job with id 99"),
        (["jobs", "submit", "trian"], "unknown job kind 'trian'"),
        (["jobs", "requeue", "2"], "only lost, failed or cancelled"),
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and message in result.output, result.output


def test_worker_once_runs_one_queued_job(
    home: Path, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLIMPSE_HEARTBEAT_S", "0.2")
    result = runner.invoke(app, ["worker", "--once"])
    assert result.exit_code == 0 and "worker ran 0 job(s)" in result.output
    job_id = queue.enqueue(session, "sleep", {"seconds": 0.1})
    result = runner.invoke(app, ["worker", "--once"])
    assert result.exit_code == 0 and "worker ran 1 job(s)" in result.output, result.output
    assert queue.get_job(session, job_id).status == "succeeded"


def test_submit_wait_starts_a_worker_and_follows_the_job(
    home: Path, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLIMPSE_HEARTBEAT_S", "0.2")
    try:
        result = runner.invoke(
            app, ["jobs", "submit", "sleep", "-p", "seconds=0.3", "--wait", "--poll", "0.1"]
        )
        assert result.exit_code == 0, result.output
        assert "started a worker" in result.output and "job 1 succeeded" in result.output
        assert queue.get_job(session, 1).status == "succeeded"
        assert worker.ensure_worker() is None  # the worker it started is alive and seen
    finally:
        for proc in list(worker._spawned):
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
