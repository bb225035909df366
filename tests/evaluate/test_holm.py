"""Holm's step-down correction against values computed by hand, and how the Compare verdict uses it."""

from __future__ import annotations

import pytest

from engine.errors import GlimpseError
from engine.evaluate.stats import holm_adjust
from engine.evaluate.verdicts import ChanceLevels, verdict, with_holm


def test_holm_matches_hand_computed_values() -> None:
    # sorted: 0.005·4 = 0.02; 0.01·3 = 0.03; 0.03·2 = 0.06; 0.04·1 = 0.04 → raised to the running max 0.06
    assert holm_adjust([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    # capped at 1; ties keep their order; one test is its own p
    assert holm_adjust([0.5, 0.5, 0.001]) == pytest.approx([1.0, 1.0, 0.003])
    assert holm_adjust([0.2]) == [0.2] and holm_adjust([]) == []


def test_holm_refuses_a_value_that_is_not_a_probability() -> None:
    with pytest.raises(GlimpseError, match="p-values must lie in"):
        holm_adjust([0.1, 1.5])


def test_rows_without_a_p_value_stay_out_of_the_family() -> None:
    rows = with_holm(
        [
            {"comparison": "full_vs_fir", "test": "by_seed_uf1", "p_t": 0.01, "p_wilcoxon": 0.25},
            {"comparison": "full_vs_fir", "test": "by_fold_uf1", "p_t": None, "p_wilcoxon": None},
            {"comparison": "full_vs_er", "test": "by_seed_uf1", "p_t": 0.04, "p_wilcoxon": 0.5},
        ]
    )
    assert [r["p_t_holm"] for r in rows] == pytest.approx([0.02, None, 0.04])  # m = 2, not 3
    assert [r["p_wilcoxon_holm"] for r in rows] == pytest.approx([0.5, None, 0.5])


def _rows(p_by_variant: dict[str, float]) -> list[dict]:
    return with_holm(
        [
            {"comparison": f"full_vs_{v}", "test": test, "p_t": p, "p_wilcoxon": None}
            for v, p in p_by_variant.items()
            for test in ("by_seed_uf1", "by_seed_uar", "by_fold_uf1")
        ]
    )


def test_two_seed_verdict_names_the_correction_and_gives_no_interval() -> None:
    by_seed = {"full": {0: 0.50, 1: 0.52}, "er": {0: 0.46, 1: 0.488}}
    rows = _rows({"fir": 0.2, "er": 0.3, "mixt": 0.4})  # 9 tests
    v = verdict("full", "er", by_seed, rows)
    assert v.sentence == (
        "FULL vs ER: +0.036 UF1, not significant after Holm correction over 9 tests "
        "(adjusted p = 1.000), 2 seeds — too few for an interval (needs 3)"
    )
    assert v.interval is None and v.tests == 9 and v.significant is False


def test_five_seed_verdict_is_significant_and_has_the_interval_of_the_difference() -> None:
    by_seed = {"full": dict(enumerate([0.60, 0.62, 0.61, 0.63, 0.64])), "fir": dict(enumerate([0.50] * 5))}
    row = {"comparison": "full_vs_fir", "test": "by_seed_uf1", "p_t": 0.0004, "p_wilcoxon": None}
    rows = with_holm([row])
    v = verdict("full", "fir", by_seed, rows)
    assert v.significant and v.difference == pytest.approx(0.12) and v.seeds == 5
    assert v.sentence.startswith("FULL vs FIR: +0.120 UF1, significant after Holm correction over 1 test ")
    assert "(adjusted p < 0.001), 5 seeds, 95% CI of the difference +0.100 to +0.140" in v.sentence


def test_one_seed_verdict_has_no_test() -> None:
    v = verdict("full", "mixt", {"full": {0: 0.5}, "mixt": {0: 0.6}}, [])
    assert v.sentence == (
        "FULL vs MIXT: -0.100 UF1 on one seed — no test and no interval (a test needs 2 seeds, an interval 3)"
    )


def test_chance_levels_read_as_a_sentence() -> None:
    chance = ChanceLevels.from_mapping(
        {"uniform_uf1": 0.31234567, "uniform_uar": 0.3333333, "majority_uf1": 0.2, "majority_uar": 1 / 3}
    )
    assert chance is not None and chance.sentence == (
        "Chance levels: a uniform random guess scores UF1 0.312 / UAR 0.333; always predicting the most "
        "frequent class scores UF1 0.200 / UAR 0.333."
    )
    assert ChanceLevels.from_mapping({"uniform_uf1": 0.3}) is None
