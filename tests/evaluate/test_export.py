"""MEGC 2019 log and predictions CSV: exact text and round-trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import GlimpseError
from engine.evaluate.export import (
    LogRow,
    read_megc_log,
    read_predictions_csv,
    write_megc_log,
    write_predictions_csv,
)

ROWS = [
    ("casme2", "sub01", "EP02_01f", "positive", "positive"),
    ("casme2", "sub01", "EP03_02f", "negative", "surprise"),
    ("smic", "s1", "s1_ne_01", "negative", "negative"),
]


def test_megc_log_exact_text_and_round_trip(tmp_path: Path) -> None:
    path = write_megc_log(tmp_path / "out" / "lbptop.log", ROWS)
    assert path.read_text() == (
        "casme2 sub01\n"
        "EP02_01f positive positive\n"
        "EP03_02f negative surprise\n"
        "smic s1\n"
        "s1_ne_01 negative negative\n"
    )
    assert read_megc_log(path) == [LogRow(*r) for r in ROWS]


def test_megc_log_rejects_spaces_and_bad_lines(tmp_path: Path) -> None:
    with pytest.raises(GlimpseError, match="whitespace"):
        write_megc_log(tmp_path / "x.log", [("casme2", "sub 01", "f", "a", "b")])
    bad = tmp_path / "bad.log"
    bad.write_text("casme2 sub01\nEP02 positive\n")  # 2 fields → a fold line, then fine
    assert read_megc_log(bad) == []
    bad.write_text("casme2 sub01\nEP02 positive negative extra\n")
    with pytest.raises(GlimpseError, match=r"bad.log:2"):
        read_megc_log(bad)


def test_predictions_csv_round_trip(tmp_path: Path) -> None:
    path = write_predictions_csv(tmp_path / "pred.csv", ROWS)
    back = read_predictions_csv(path)
    assert len(back) == 3
    assert back[1] == {
        "dataset": "casme2",
        "subject": "sub01",
        "file": "EP03_02f",
        "truth": "negative",
        "prediction": "surprise",
    }
    path2 = write_predictions_csv(tmp_path / "p2.csv", [{"file": "a", "truth": "x", "p_x": 0.25}])
    assert read_predictions_csv(path2) == [{"file": "a", "truth": "x", "p_x": "0.25"}]
