"""A stored config + seed determines a run: the same run under OMP_NUM_THREADS=1 and =2 (real
subprocesses; the second with its folds on a pool of two worker processes) writes byte-identical
predictions.csv, and `glimpse reproduce` re-runs a stored run and
says whether — and where — its metrics and predictions came back."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import torch
from sqlalchemy import select, update
from typer.testing import CliRunner

from db.schema import Clip, Prediction, Run
from db.session import session_scope
from engine.cli import app

ROOT = Path(__file__).resolve().parents[2]
TRAIN = ["train", "--stage", "full", "--seed", "3", "--tiny", "--device", "cpu"]


def _train_in_subprocess(home: Path, omp_threads: int, workers: int) -> str:
    env = {
        **os.environ,
        "GLIMPSE_HOME": str(home),
        "OMP_NUM_THREADS": str(omp_threads),
        "GLIMPSE_WORKERS": str(workers),  # 2: the folds run on a pool of two worker processes
        "COLUMNS": "200",
    }
    env.pop("GLIMPSE_DB_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", "from engine.cli import main; main()", *TRAIN],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return re.search(r"run (\S+): full seed 3", done.stdout).group(1)


def test_thread_environment_does_not_change_the_predictions(tiny_catalog: str, home: Path) -> None:
    one = _train_in_subprocess(home, 1, workers=1)
    two = _train_in_subprocess(home, 2, workers=2)
    csv_one = (home / "runs" / one / "predictions.csv").read_bytes()
    csv_two = (home / "runs" / two / "predictions.csv").read_bytes()
    assert b"p_negative" in csv_one and csv_one.count(b"\n") == 13  # header + 12 clips, probabilities too
    assert csv_one == csv_two
    record = json.loads((home / "runs" / one / "config.json").read_text())
    assert record["config"]["runtime"] == {"threads": 1, "deterministic": True, "dtype": "float32"}
    assert record["config"]["device"] == "cpu"
    environment = record["environment"]
    assert environment["torch"] and environment["cpu"] and environment["device"] == "cpu"
    assert environment["workers"] == 1  # how the work was spread: environment, not config
    pooled = json.loads((home / "runs" / two / "config.json").read_text())
    assert pooled["environment"]["workers"] == 2 and pooled["config"] == record["config"]
    assert environment["cpu_capability"] == torch.backends.cpu.get_cpu_capability()  # e.g. AVX2 vs AVX512


def test_reproduce_says_identical_then_names_what_differs(tiny_catalog: str) -> None:
    runner = CliRunner()
    trained = runner.invoke(app, ["train", "--stage", "er", "--seed", "1", "--tiny", "--device", "cpu"])
    assert trained.exit_code == 0, trained.output
    run_id = re.search(r"run (\S+): er seed 1", trained.output).group(1)

    same = runner.invoke(app, ["reproduce", run_id])
    assert same.exit_code == 0, same.output
    assert "identical" in same.output and "recorded environment: torch " in same.output
    assert f"cpu_capability {torch.backends.cpu.get_cpu_capability()}" in same.output
    assert "all 1 run(s) reproduced exactly" in same.output

    with session_scope(tiny_catalog) as session:  # someone relabels a clip the run predicted
        clip_id = session.scalar(
            select(Prediction.clip_id).where(Prediction.run_id == run_id).order_by(Prediction.clip_id)
        )
        old = session.get(Clip, clip_id).label
        new = "positive" if old != "positive" else "negative"
        session.execute(update(Clip).where(Clip.id == clip_id).values(label=new))
    changed = runner.invoke(app, ["reproduce", run_id])
    assert changed.exit_code == 1, changed.output
    assert "DIFFERENT" in changed.output and "the catalog changed since this run" in changed.output
    assert re.search(rf"prediction of clip {clip_id}: stored \('[^']+', '{old}'", changed.output), (
        changed.output
    )
    assert "1 of 1 run(s) did not reproduce" in changed.output
    with session_scope(tiny_catalog) as session:  # the stored run is untouched
        assert session.get(Run, run_id).status == "succeeded"
