"""`glimpse ingest` and `glimpse catalog ls|stats` end to end on a tiny CASME II layout."""

from __future__ import annotations

from pathlib import Path

import typer
from ingest_layouts import casme2
from typer.testing import CliRunner

from engine.cli import catalog, ingest


def _app() -> typer.Typer:
    app = typer.Typer()
    ingest.register(app)
    catalog.register(app)
    return app


def test_cli_ingest_ls_stats(home: Path, tmp_path: Path) -> None:
    root = casme2(
        tmp_path / "CASME2",
        [(1, "EP02_01f", 5, 6, 8, "12", "happiness"), (2, "EP03_02", 9, 8, 4, "4", "disgust")],
        frame_ranges={(2, "EP03_02"): (3, 10)},
    )
    runner = CliRunner()
    result = runner.invoke(_app(), ["ingest", str(root), "--name", "c2"])
    assert result.exit_code == 0, result.output
    assert "CASME2-coding-20140508.xlsx, row 3: onset 9 is after offset 4" in result.output
    listed = runner.invoke(_app(), ["catalog", "ls", "--dataset", "c2", "--label", "positive"])
    assert listed.exit_code == 0 and "EP02_01f" in listed.output and "of 1" in listed.output
    stats = runner.invoke(_app(), ["catalog", "stats"])
    assert stats.exit_code == 0 and "c2" in stats.output and "casme2" in stats.output
    missing = runner.invoke(_app(), ["catalog", "ls", "--dataset", "nope"])
    assert missing.exit_code == 2


def test_cli_ingest_nothing_usable_exits_2(home: Path, tmp_path: Path) -> None:
    root = casme2(
        tmp_path / "CASME2", [(2, "EP03_02", 9, 8, 4, "4", "disgust")], frame_ranges={(2, "EP03_02"): (3, 10)}
    )
    result = CliRunner().invoke(_app(), ["ingest", str(root)])
    assert result.exit_code == 2
