"""The Compare page: each variant of an ablation, and what one seed cannot give. AppTest against
conftest.py's seeded catalog."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from app_support import page, texts  # type: ignore[import-not-found]

from engine import api


def test_compare_page_shows_each_variant(seeded) -> None:
    at = page("compare")
    at.run()
    at.selectbox(key="cmp_ablation").select(seeded.ablation_id).run()
    assert not at.exception
    assert "Variants: **FIR** · **ER** · **MIXT** · **FULL**" in texts(at)
    summary = at.dataframe[0].value
    uf1 = summary[summary.metric == "uf1"].set_index("variant")
    assert uf1.loc["full", "mean"] == pytest.approx(0.57)
    assert uf1.loc["fir", "sd"] == pytest.approx(np.std([0.40, 0.44], ddof=1))
    assert uf1.loc["er", "n"] == 2
    paired = next(df.value for df in at.dataframe if "comparison" in df.value.columns)
    assert list(dict.fromkeys(paired.comparison)) == ["full_vs_fir", "full_vs_er", "full_vs_mixt"]
    result = api.compare(ablation_id=seeded.ablation_id)
    assert result.deltas_vs_reference.loc["fir", "positive"] == pytest.approx(0.42 - 0.57)
    # the page shows the tests the ablation wrote, not a recomputation: FULL − FIR over the two seeds
    tests = api.paired_tests(seeded.ablation_id).set_index(["comparison", "test"])
    assert tests.loc[("full_vs_fir", "by_seed_uf1"), "mean_diff"] == pytest.approx(0.57 - 0.42)
    assert sorted(set(tests.index.get_level_values("test"))) == ["by_fold_uf1", "by_seed_uar", "by_seed_uf1"]


def test_compare_page_says_one_seed_has_no_interval_and_no_test(seeded) -> None:
    at = page("compare")
    at.run()
    at.selectbox(key="cmp_ablation").select_index(0)  # "(none)"
    at.multiselect(key="cmp_runs").set_value([seeded.run_id]).run()  # one FULL run: one seed
    assert not at.exception
    summary = at.dataframe[0].value
    uf1 = summary[summary.metric == "uf1"].iloc[0]
    assert uf1["n"] == 1 and uf1["note"] == "n/a — one seed"
    assert pd.isna(uf1["sd"]) and pd.isna(uf1["ci_low"]) and pd.isna(uf1["ci_high"])  # not a 0-width CI
    assert "sd, 95% CI and p-values: **n/a — one seed**" in texts(at)
    assert "Paired tests need FULL and the variant over at least two shared seeds." in texts(at)
