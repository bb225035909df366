"""The ablation's comparison document: written once, read back as the Compare page's rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from engine.errors import GlimpseError
from engine.evaluate.comparison import (
    AblationComparison,
    VariantOutcome,
    class_f1_means,
    compare_outcomes,
    deltas_vs,
    paired_by_seed,
    paired_rows,
    read_comparison,
    spread_rows,
    summary_rows,
    write_comparison,
)

UF1 = {"fir": [0.40, 0.44, 0.42], "full": [0.55, 0.59, 0.60]}


def _outcomes() -> list[VariantOutcome]:
    return [
        VariantOutcome(f"{v}-{s}", v, s, x, x + 0.01, 0.98 if v == "full" else x, {"a": x, "b": x / 2})
        for v, values in UF1.items()
        for s, x in enumerate(values)
    ]


def test_document_holds_the_spread_and_the_paired_tests(tmp_path: Path) -> None:
    doc = compare_outcomes(_outcomes(), chance={"uniform_uf1": 0.3})
    full = doc["variants"]["full"]
    assert full["seeds"] == [0, 1, 2] and full["runs"] == ["full-0", "full-1", "full-2"]
    assert full["uf1_mean"] == pytest.approx(np.mean(UF1["full"]))
    assert full["uf1_sd"] == pytest.approx(np.std(UF1["full"], ddof=1))
    half = stats.t.ppf(0.975, 2) * np.std(UF1["full"], ddof=1) / np.sqrt(3)
    assert full["uf1_ci"] == pytest.approx([np.mean(UF1["full"]) - half, np.mean(UF1["full"]) + half])
    assert full["accuracy_ci"] == pytest.approx([0.98, 0.98])  # constant over seeds
    by_seed = doc["paired"]["full_vs_fir"]["by_seed_uf1"]
    assert by_seed["n"] == 3 and by_seed["mean_diff"] == pytest.approx(
        np.mean(UF1["full"]) - np.mean(UF1["fir"])
    )
    assert doc["paired"]["full_vs_fir"]["by_fold_uf1"]["n"] == 2  # paired by subject a, b
    assert doc["chance"] == {"uniform_uf1": 0.3} and doc["reference"] == "full"

    path = tmp_path / "comparison.json"
    write_comparison(path, doc)
    back = read_comparison(path)
    rows = pd.DataFrame(summary_rows(back)).set_index(["variant", "metric"])
    assert rows.loc[("fir", "uf1"), "mean"] == pytest.approx(np.mean(UF1["fir"]))
    assert rows.loc[("fir", "uf1"), "n"] == 3
    assert list(pd.DataFrame(summary_rows(back, ["fir"])).variant.unique()) == ["fir"]
    tests = pd.DataFrame(paired_rows(back))
    assert sorted(tests.test) == ["by_fold_uf1", "by_seed_uar", "by_seed_uf1"]


def test_the_written_document_reads_back_typed(tmp_path: Path) -> None:
    """What engine.api.comparison_document hands the CLI: the written figures, typed, none lost."""
    doc = compare_outcomes(
        _outcomes(),
        chance={"uniform_uf1": 0.3, "uniform_uar": 0.31, "majority_uf1": 0.2, "majority_uar": 0.25},
    )
    path = tmp_path / "comparison.json"
    write_comparison(path, doc)
    typed = AblationComparison.from_document(read_comparison(path))
    assert typed.reference == "full" and list(typed.variants) == ["fir", "full"]
    full = typed.variants["full"]
    assert full.seeds == (0, 1, 2) and full.runs == ("full-0", "full-1", "full-2")
    assert set(full.metrics) == {"uf1", "uar", "accuracy"}
    assert full.metrics["uf1"].values == pytest.approx(UF1["full"])
    assert full.metrics["uf1"].mean == pytest.approx(np.mean(UF1["full"]))
    assert full.metrics["uf1"].sd == pytest.approx(np.std(UF1["full"], ddof=1))
    assert full.metrics["uf1"].ci == pytest.approx(tuple(doc["variants"]["full"]["uf1_ci"]))
    by_seed = typed.paired["full_vs_fir"]["by_seed_uf1"]
    written = doc["paired"]["full_vs_fir"]["by_seed_uf1"]
    assert (by_seed.n, by_seed.mean_diff, by_seed.p_t, by_seed.note) == (
        written["n"],
        pytest.approx(written["mean_diff"]),
        pytest.approx(written["p_t"]),
        written["note"],
    )
    assert set(typed.paired["full_vs_fir"]) == {"by_seed_uf1", "by_seed_uar", "by_fold_uf1"}
    assert typed.chance is not None and typed.chance.majority_uar == pytest.approx(0.25)


def test_two_seeds_give_no_interval_and_say_the_minimum() -> None:
    rows = spread_rows({"x": {"uf1": [0.99, 0.5]}})  # t over 2 seeds (df 1) spans more than [0, 1]
    assert rows[0]["ci_high"] is None and rows[0]["ci_low"] is None  # not clipped to [0, 1]: absent
    assert rows[0]["note"] == "n/a — 2 seeds, too few for an interval (needs ≥ 3)"
    assert rows[0]["mean"] == pytest.approx(0.745) and rows[0]["n"] == 2
    assert rows[0]["sd"] == pytest.approx(np.std([0.99, 0.5], ddof=1))


def test_three_seeds_give_the_t_interval_unclipped() -> None:
    values = [0.95, 0.99, 0.6]
    row = spread_rows({"x": {"uf1": values}})[0]
    half = stats.t.ppf(0.975, 2) * np.std(values, ddof=1) / np.sqrt(3)
    assert row["ci_high"] == pytest.approx(np.mean(values) + half) and row["ci_high"] > 1.0
    assert row["ci_low"] == pytest.approx(np.mean(values) - half) and row["note"] == ""


def test_a_document_with_a_clipped_two_seed_interval_is_read_without_it() -> None:
    doc = compare_outcomes(_outcomes()[:2] + _outcomes()[3:5])  # fir and full, seeds 0 and 1
    doc["variants"]["fir"]["uf1_ci"] = [0.0, 1.0]  # what the writer stored before the rule
    rows = pd.DataFrame(summary_rows(doc)).set_index(["variant", "metric"])
    assert rows.loc[("fir", "uf1"), "ci_low"] is None and rows.loc[("fir", "uf1"), "n"] == 2


def test_runs_outside_an_ablation_are_tested_over_shared_seeds_only() -> None:
    rows = paired_by_seed({"full": {0: 0.6, 1: 0.7, 2: 0.8}, "lbptop": {0: 0.5, 1: 0.5}, "one": {0: 0.1}})
    assert [r["comparison"] for r in rows] == ["full_vs_lbptop"]  # "one" shares a single seed
    assert rows[0]["n"] == 2 and rows[0]["mean_diff"] == pytest.approx(0.15)
    assert paired_by_seed({"fir": {0: 0.1, 1: 0.2}}) == []  # no reference, no test


def test_per_class_means_and_deltas() -> None:
    metrics = pd.DataFrame(
        [
            ("r1", "class:positive", "f1", 0.4, "fir"),
            ("r2", "class:positive", "f1", 0.6, "fir"),
            ("r3", "class:positive", "f1", 0.9, "full"),
            ("r3", "overall", "uf1", 0.9, "full"),
        ],
        columns=["run_id", "scope", "name", "value", "group"],
    )
    means = class_f1_means(metrics, ["fir", "full"])
    assert means.index.tolist() == ["fir", "full"] and means.loc["fir", "positive"] == pytest.approx(0.5)
    assert deltas_vs(means).loc["fir", "positive"] == pytest.approx(-0.4)
    assert deltas_vs(means, "er").empty


def test_a_damaged_document_names_its_file(tmp_path: Path) -> None:
    path = tmp_path / "comparison.json"
    path.write_text("{not json")
    with pytest.raises(GlimpseError, match="cannot read the ablation's comparison") as info:
        read_comparison(path)
    assert str(path) in str(info.value)
    path.write_text("[]")
    with pytest.raises(GlimpseError, match="no 'variants' object"):
        read_comparison(path)
