"""`glimpse spot` and the ``spot`` job on a real catalog: a stored run whose artefacts re-score exactly."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from spotting_catalog import DATASET
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from db.schema import Artifact, Dataset, Metric, Run
from engine.cli import app
from engine.errors import GlimpseError
from engine.jobs import queue
from engine.jobs.handlers import get_job_kind
from engine.progress import NullReporter
from engine.spotting.config import SpotConfig
from engine.spotting.run import run_spotting
from engine.train.ablation import run_variant
from engine.train.config import AblationConfig

runner = CliRunner()


def test_spot_run_stores_artefacts_that_spot_eval_reproduces(
    long_dataset: Dataset, session: Session, db_url: str, home: Path
) -> None:
    summary = run_spotting(db_url, DATASET, SpotConfig(method="fd"))
    assert summary.synthetic and summary.n_videos == 3
    assert summary.metrics["f1"] >= 0.8 and summary.metrics["by_type"]["micro"]["tp"] >= 5
    session.expire_all()
    run = session.get(Run, summary.run_id)
    assert run is not None and run.status == "succeeded" and run.kind == "spotting" and run.is_synthetic
    kinds = set(session.scalars(select(Artifact.kind).where(Artifact.run_id == run.id)))
    assert {"intervals_csv", "truth_csv", "megc_log", "metrics", "frame_scores", "config"} <= kinds
    f1 = session.scalar(
        select(Metric.value).where(Metric.run_id == run.id, Metric.scope == "overall", Metric.name == "f1")
    )
    assert f1 == pytest.approx(summary.metrics["f1"])
    folder = Path(summary.folder)
    result = runner.invoke(
        app, ["spot-eval", str(folder / "truth.csv"), str(folder / "intervals.csv"), "--json"]
    )
    assert result.exit_code == 0, result.output
    again = json.loads(result.output)
    assert {k: again[k] for k in ("tp", "fp", "fn", "f1")} == {
        k: summary.metrics[k] for k in ("tp", "fp", "fn", "f1")
    }
    assert again["by_type"] == summary.metrics["by_type"]
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["synthetic"] is True and set(metrics["folds"]) == {"s15", "s16", "s17"}
    # a second run reads every video's features from the cache: same figures
    cached = sorted((home / "cache" / "spotting").rglob("*.npy"))
    assert len(cached) == 3
    mtimes = [p.stat().st_mtime_ns for p in cached]
    assert run_spotting(db_url, DATASET, SpotConfig(method="fd")).metrics == summary.metrics
    assert [p.stat().st_mtime_ns for p in cached] == mtimes


def test_spot_cli_and_job_handler(
    long_dataset: Dataset, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLIMPSE_EXECUTOR", "local")
    result = runner.invoke(app, ["spot", DATASET, "--method", "logreg", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output.strip().splitlines()[-1])
    assert data["synthetic"] is True and data["f1"] > 0.5
    (job,) = queue.list_jobs(session)  # the CLI ran it as a job, inline: one way in, like the page's
    assert (job.kind, job.status, job.result["run_id"]) == ("spot", "succeeded", data["run_id"])
    listed = runner.invoke(app, ["spot", "--methods"])
    assert "fd" in listed.output and "logreg" in listed.output
    with pytest.raises(GlimpseError, match="unknown spotting parameter.*methd"):
        get_job_kind("spot").run({"dataset": DATASET, "methd": "fd"}, NullReporter(), 0)


def test_spot_job_through_a_real_worker(long_dataset: Dataset, session: Session) -> None:
    job_id = queue.enqueue(session, "spot", {"dataset": DATASET, "method": "fd"})
    worker = subprocess.run(
        [sys.executable, "-m", "engine.jobs.worker", "--once", "--poll", "0.1"],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert worker.returncode == 0, worker.stdout + worker.stderr
    session.expire_all()
    job = queue.get_job(session, job_id)
    assert job.status == "succeeded", job.error
    assert (
        job.result["method"] == "fd" and job.result["synthetic"] is True and job.result["metrics"]["tp"] > 0
    )
    run = session.get(Run, job.result["run_id"])
    assert run is not None and run.job_id == job_id and run.status == "succeeded"


def test_spot_refuses_a_dataset_without_recordings(session: Session, db_url: str, home: Path) -> None:
    session.add(Dataset(name="clips-only", format="casme2", root=str(home), fps=200.0))
    session.commit()
    with pytest.raises(GlimpseError, match="has no long videos"):
        run_spotting(db_url, "clips-only", SpotConfig())
    bad = runner.invoke(app, ["spot", "nope"])
    assert bad.exit_code == 2 and "no dataset named 'nope'" in bad.output


def _tiny_catalog_builder():  # noqa: ANN202 — the training tests' drawn catalog, loaded by path
    path = Path(__file__).resolve().parents[1] / "train" / "conftest.py"
    spec = importlib.util.spec_from_file_location("glimpse_train_tiny_catalog_spot", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_tiny_catalog


def test_spot_then_recognise_reports_strs_beside_f1(
    long_dataset: Dataset, session: Session, db_url: str, home: Path
) -> None:
    torch.set_num_threads(1)
    _tiny_catalog_builder()(session, home / "datasets" / "tiny")
    recognition = run_variant(db_url, "er", 0, AblationConfig.tiny())
    summary = run_spotting(db_url, DATASET, SpotConfig(method="fd"), recognition_run=recognition.run_id)
    report = summary.metrics["str"]
    labelled_tps = summary.metrics["by_type"]["micro"]["tp"]  # the toy coding labels its micro intervals
    assert report["n_analysed"] == labelled_tps > 0
    assert report["mode"] == "rule"
    assert report["strs"] == pytest.approx(report["spotting_f1"] * report["analysis_f1"])
    p, r = report["analysis_macro_precision"], report["analysis_macro_recall"]
    assert report["analysis_f1"] == pytest.approx(2 * p * r / (p + r) if p + r else 0.0)
    assert report["uar"] == pytest.approx(r)
    stored = json.loads((Path(summary.folder) / "strs.json").read_text())
    assert stored["recognition_run"] == recognition.run_id
    assert {r["truth"] for r in stored["recognised"]} == {"positive"}
    assert {r["predicted"] for r in stored["recognised"]} <= {"negative", "positive", "surprise"}
    # spot-eval on the run's own CSVs (emotion columns written) reports the very same STR figures
    folder = Path(summary.folder)
    again = runner.invoke(
        app, ["spot-eval", str(folder / "truth.csv"), str(folder / "intervals.csv"), "--json"]
    )
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["str"] == report
    session.expire_all()
    value = session.scalar(
        select(Metric.value).where(
            Metric.run_id == summary.run_id, Metric.scope == "str", Metric.name == "strs"
        )
    )
    assert value == pytest.approx(report["strs"])
    with pytest.raises(GlimpseError, match="no finished recognition run"):
        run_spotting(db_url, DATASET, SpotConfig(), recognition_run="nope")
