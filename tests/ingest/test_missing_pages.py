"""The Datasets and Clips pages show clips gone from their source as MISSING (AppTest, real catalog)."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.app_support import page  # type: ignore[import-not-found]
from ingest_layouts import casme2
from sqlalchemy.orm import Session

from engine.ingest.catalog import ingest_dataset


def _one_missing(session: Session, tmp_path: Path) -> None:
    root = casme2(
        tmp_path / "c2", [(1, "EP01", 2, 3, 4, "", "happiness"), (1, "EP02", 2, 3, 4, "", "surprise")]
    )
    ingest_dataset(session, root, name="lab-c2")
    shutil.rmtree(root / "CASME2_RAW_selected/sub01/EP02")
    assert ingest_dataset(session, root, name="lab-c2").n_missing == 1


def test_datasets_page_badges_missing_clips(session: Session, tmp_path: Path) -> None:
    _one_missing(session, tmp_path)
    at = page("datasets").run()
    assert not at.exception
    assert any("**lab-c2** :red-badge[1 MISSING]" in m.value for m in at.markdown)
    row = at.dataframe[0].value.set_index("name").loc["lab-c2"]
    assert (row.clips, row.missing) == (1, 1)


def test_clips_page_marks_missing_clips(session: Session, tmp_path: Path) -> None:
    _one_missing(session, tmp_path)
    at = page("clips").run()
    assert not at.exception
    table = at.dataframe[0].value.set_index("name")
    assert table.loc["EP01"].missing == ""
    assert table.loc["EP02"].missing.startswith("MISSING 20")
