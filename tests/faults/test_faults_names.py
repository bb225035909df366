"""Issue 16 item 9: a subject or clip name `glimpse spot` (and the HTNet export) could not hold is refused
at ingest, naming its file and row; the catalog is left as it was."""

from __future__ import annotations

from pathlib import Path

from faults_support import run_cli
from ingest.ingest_layouts import casme2  # type: ignore[import-not-found]
from sqlalchemy.orm import Session

from db.schema import Clip
from engine.ingest.names import name_problem


def test_the_rule_is_the_spotting_logs() -> None:
    assert name_problem("EP02_01f") is None and name_problem("006_1_2") is None
    assert name_problem("EP02 01f") == "contains whitespace"
    assert name_problem("a\tb") == "contains whitespace"
    assert name_problem("  ") == "is empty"


def test_ingest_refuses_a_clip_name_with_a_space(home: Path, tmp_path: Path, session: Session) -> None:
    root = casme2(
        tmp_path / "CASME2",
        [(1, "EP02_01f", 5, 6, 8, "12", "happiness"), (2, "EP03 02", 9, 10, 12, "4", "disgust")],
    )
    result = run_cli("ingest", str(root), "--name", "c2")
    assert result.returncode == 2, result.stdout + result.stderr
    message = " ".join(result.stderr.split())
    assert "CASME2-coding-20140508.xlsx, row 3: clip name 'EP03 02' contains whitespace" in message, message
    assert "Traceback" not in result.stderr + result.stdout
    assert session.query(Clip).count() == 0  # one transaction: nothing of the dataset was written
