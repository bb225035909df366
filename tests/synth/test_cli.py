"""`glimpse synth` writes the corpus, ingests it through the real readers, and refuses foreign folders."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from db.schema import Clip, Dataset
from engine.cli import app

runner = CliRunner()


def test_synth_no_ingest_writes_a_tiny_corpus(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    result = runner.invoke(app, ["synth", "--tiny", "--seed", "3", "--out", str(out), "--no-ingest"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["config"]["seed"] == 3
    assert manifest["counts"]["me_clips"] == 12
    assert (out / "casme2" / "CASME2-coding-20140508.xlsx").is_file()


def test_synth_clips_option_rescales_in_casme2_proportions(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    result = runner.invoke(
        app, ["synth", "--tiny", "--clips", "10", "--subjects", "3", "--out", str(out), "--no-ingest"]
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["me_clips"] == 10
    assert {c["subject"] for c in manifest["me_clips"]} == {1, 2, 3}
    emotions = [c["emotion"] for c in manifest["me_clips"]]
    assert emotions.count("others") == 4 and emotions.count("disgust") == 3  # 99/255, 63/255 of 10


def test_synth_default_ingests_into_the_catalog(home: Path, session: Session) -> None:
    out = home / "datasets" / "synthetic"
    result = runner.invoke(app, ["synth", "--tiny"])
    assert result.exit_code == 0, result.output
    assert (out / "manifest.json").is_file()  # default --out is GLIMPSE_HOME/datasets/synthetic
    counts = dict(
        session.execute(select(Dataset.name, func.count(Clip.id)).join(Clip).group_by(Dataset.name)).all()
    )
    assert counts["synthetic-casme2"] == 12
    assert counts["synthetic-ckplus"] == 6


def test_synth_refuses_a_folder_that_is_not_a_corpus(home: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = runner.invoke(app, ["synth", "--tiny", "--out", str(tmp_path), "--no-ingest"])
    assert result.exit_code == 2
    assert "not empty" in result.output
    assert (tmp_path / "notes.txt").read_text() == "mine"
