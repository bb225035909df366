"""AppTest of the Review page's agreement table (values, clip counts, the n/a rule, the tolerance) and of
adjudication that records its adjudicator and leaves the release's coding out unless asked."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
from app_support import page  # type: ignore[import-not-found]
from sqlalchemy import select
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from db.schema import Annotation
from db.session import session_scope
from engine import api
from engine.cli import app


def _code(seeded) -> None:
    first, second = seeded.clip_ids[0], seeded.clip_ids[1]
    api.save_annotation(
        api.local_actor("alice"), first, 101, 104, 107, "12", "happiness"
    )  # = the release's coding
    api.save_annotation(
        api.local_actor("bob"), first, 101, 106, 107, "12", "surprise"
    )  # the label differs: ranked first
    api.save_annotation(
        api.local_actor("alice"), second, 101, 104, 107, "", "disgust"
    )  # no AU where the release has 12


def _cell(table: pd.DataFrame, coders: str, statistic: str) -> str:
    return str(table.set_index("statistic").loc[statistic, coders])


def _table(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "statistic" in d.value.columns)


def test_review_shows_agreement_table_with_counts_and_n_a(seeded) -> None:
    _code(seeded)
    at = page("review").run()
    assert not at.exception
    table = _table(at)
    # alice · source: clip 1 {12} vs {12}, clip 2 {} vs {12} → 2·1 / 3; κ AU12 alice 1,0 vs 1,1 → 0
    assert _cell(table, "alice · source", "AU agreement ratio") == "0.667 (2)"
    assert _cell(table, "alice · source", "Cohen's κ AU12") == "0.000 (2)"
    assert _cell(table, "alice · source", "Krippendorff's α (labels)") == "1.000 (2)"
    # alice · bob share one clip: chance-corrected statistics are not shown over it
    assert _cell(table, "alice · bob", "Cohen's κ AU12") == "n/a — 1 clip"
    assert _cell(table, "alice · bob", "Krippendorff's α (labels)") == "n/a — 1 clip"
    assert _cell(table, "alice · bob", "AU agreement ratio") == "1.000 (1)"
    # everyone: clip 1 (positive, surprise, positive), clip 2 (negative, negative) → 1 − (2/5)/(16/20)
    assert _cell(table, "all coders", "Krippendorff's α (labels)") == "0.500 (2)"
    # 200 fps → ±5 frames: bob's apex 106 vs 104 agrees; at ±1 it does not
    assert _cell(table, "alice · bob", "apex within ±N") == "1.000 (1)"
    captions = "\n".join(c.value for c in at.caption)
    assert "±25 ms at each clip's frame rate" in captions and "over 1 clips" not in captions
    assert any(b.label == "⬇ agreement CSV" for b in at.get("download_button"))
    at.number_input(key="review_agr_tolerance").set_value(1).run()
    table = _table(at)
    assert _cell(table, "alice · bob", "apex within ±N") == "0.000 (1)"
    assert "Timing tolerance ±1 frames" in "\n".join(c.value for c in at.caption)
    at.multiselect(key="review_agr_coders").set_value(["alice", "bob"]).run()
    table = _table(at)
    assert list(table.columns) == ["statistic", "alice · bob", "all coders"]


def test_merge_records_the_adjudicator_and_leaves_source_out(seeded) -> None:
    _code(seeded)
    first = seeded.clip_ids[0]
    at = page("review").run()
    assert at.dataframe[0].value.clip_id.iloc[0] == first
    assert "Adopt source" not in [b.label for b in at.button]  # the release is not offered by default
    at.text_input(key="ann_annotator").input("rev").run()
    next(b for b in at.button if b.label == "Merge (median marks)").click().run()
    assert not at.exception
    with session_scope(seeded.url) as s:
        row = s.scalars(
            select(Annotation).where(Annotation.clip_id == first, Annotation.annotator == "consensus")
        ).one()
        # alice and bob only: apex median(104, 106) = 105; with the release's 104 it would be 104
        assert (row.onset, row.apex, row.offset) == (101, 105, 107)
        assert row.updated_by == "rev"
        assert row.provenance["adjudicator"] == "rev" and row.provenance["coders"] == ["alice", "bob"]
        assert row.provenance["includes_source"] is False
    at.checkbox(key="review_include_source").check().run()
    next(b for b in at.button if b.label == "Merge (median marks)").click().run()
    with session_scope(seeded.url) as s:
        row = s.scalars(
            select(Annotation).where(Annotation.clip_id == first, Annotation.annotator == "consensus")
        ).one()
        assert row.apex == 104 and row.provenance["coders"] == ["alice", "bob", "source"]


def test_cli_writes_the_same_table_as_csv(seeded, tmp_path: Path) -> None:
    _code(seeded)
    out = tmp_path / "agreement.csv"
    result = CliRunner().invoke(app, ["agreement", "--out", str(out), "--coders", "alice,source", "-n", "0"])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        rows = {(r["coders"], r["statistic"]): r for r in csv.DictReader(handle)}
    assert {coders for coders, _ in rows} == {"alice · source", "all coders"}
    assert float(rows[("alice · source", "AU agreement ratio")]["value"]) == 2 / 3
    assert rows[("alice · source", "apex within ±N")]["clips"] == "2"
    bad = CliRunner().invoke(app, ["agreement", "--out", str(tmp_path / "no" / "a.csv")])
    assert bad.exit_code == 2 and "does not exist" in bad.output and "Traceback" not in bad.output
