"""Issue 16 item 6: `glimpse export-inputs` refuses an --out inside the dataset's own folder, and a used
--out before it computes any flow (a broken apex frame would fail the computation: it must not be reached)."""

from __future__ import annotations

from pathlib import Path

from baselines.conftest import build_baseline_catalog  # type: ignore[import-not-found]
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from engine.cli import app


def _export(out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["export-inputs", "synthetic-casme2", "--format", "ststnet", "--out", str(out)]
    )
    return result.exit_code, " ".join(result.output.split())


def test_out_inside_the_dataset_folder_is_refused(session: Session, home: Path) -> None:
    root = home / "datasets" / "tiny"
    build_baseline_catalog(session, root, n_subjects=3)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    code, output = _export(root / "sub01" / "export")
    assert code == 2, output
    assert "inside the dataset's own folder" in output and "Traceback" not in output
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before  # the originals are untouched


def test_a_used_out_is_refused_before_any_flow_is_computed(
    session: Session, home: Path, tmp_path: Path
) -> None:
    root = home / "datasets" / "tiny"
    build_baseline_catalog(session, root, n_subjects=3)
    (root / "sub02" / "EP01" / "img6.png").write_bytes(b"broken")  # computing the flow would fail here
    out = tmp_path / "used"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    code, output = _export(out)
    assert code == 2, output
    assert "exists and is not empty" in output, output
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
