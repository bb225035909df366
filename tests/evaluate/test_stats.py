"""Seed spread, paired tests and bootstrap CIs on known numbers."""

from __future__ import annotations

import numpy as np
import pytest

from engine.evaluate.metrics import compute_metrics
from engine.evaluate.stats import ONE_SEED, _metric_from_confusion, bootstrap_ci, paired_test, seed_spread


def test_seed_spread_known_values() -> None:
    # mean 0.6, sd (ddof=1) 0.1, t(0.975, df=2) = 4.302653 → half-width 4.302653 * 0.1 / sqrt(3) = 0.248414
    s = seed_spread([0.5, 0.6, 0.7])
    assert s.mean == pytest.approx(0.6)
    assert s.sd == pytest.approx(0.1)
    assert s.ci_low == pytest.approx(0.6 - 0.248414, abs=1e-6)
    assert s.ci_high == pytest.approx(0.6 + 0.248414, abs=1e-6)
    assert s.n == 3


def test_seed_spread_single_value_has_no_sd_and_no_interval() -> None:
    s = seed_spread([0.42])
    assert (s.mean, s.sd, s.ci_low, s.ci_high, s.n) == (0.42, None, None, None, 1)
    assert (
        not s.has_ci
        and str(s)
        == f"0.4200 (sd and 95% CI {ONE_SEED}, n=1)"
        == "0.4200 (sd and 95% CI n/a — one seed, n=1)"
    )


def test_paired_test_detects_consistent_difference() -> None:
    b = np.array([0.50, 0.55, 0.48, 0.60, 0.52, 0.57, 0.49, 0.53])
    a = b + np.array([0.05, 0.06, 0.04, 0.05, 0.07, 0.05, 0.06, 0.04])
    out = paired_test(a, b)
    assert out["n"] == 8
    assert out["mean_diff"] == pytest.approx(0.0525)
    assert out["p_t"] < 0.001
    # all 8 differences positive: exact two-sided Wilcoxon p = 2 / 2**8 = 0.0078125
    assert out["p_wilcoxon"] == pytest.approx(2 / 256)
    assert out["note"] == ""
    # reversed order flips the sign of the difference
    assert paired_test(b, a)["mean_diff"] == pytest.approx(-0.0525)


def test_paired_test_small_n_notes() -> None:
    out = paired_test([0.5], [0.4])
    assert (out["n"], out["t"], out["p_t"], out["w"], out["p_wilcoxon"]) == (1, None, None, None, None)
    assert out["mean_diff"] == pytest.approx(0.1) and "a paired test needs 2" in out["note"]
    zero = paired_test([0.5, 0.6], [0.5, 0.6])  # no difference at all: no test, and never "p = 1"
    assert zero["p_t"] is None and zero["p_wilcoxon"] is None and "t-test undefined" in zero["note"]
    same = paired_test([0.5, 0.6, 0.7], [0.5, 0.6, 0.7])
    assert same["mean_diff"] == 0.0 and same["p_wilcoxon"] is None and "Wilcoxon" in same["note"]


def test_bootstrap_ci_brackets_point_and_is_seeded() -> None:
    rng = np.random.default_rng(3)
    labels = ["a", "b", "c"]
    truth = list(rng.choice(labels, 60))
    pred = [t if rng.random() < 0.7 else str(rng.choice(labels)) for t in truth]
    point, low, high = bootstrap_ci(truth, pred, labels, "uf1", n_boot=300, seed=1)
    assert point == pytest.approx(compute_metrics(truth, pred, labels).uf1)
    assert low < point < high and low >= 0.0 and high <= 1.0
    assert bootstrap_ci(truth, pred, labels, "uf1", n_boot=300, seed=1) == (point, low, high)


def test_vectorised_metrics_match_sklearn() -> None:
    conf = np.array([[3, 1, 0], [0, 2, 0], [1, 1, 2]])
    labels = ["n", "p", "s"]
    truth = [labels[i] for i in range(3) for j in range(3) for _ in range(conf[i, j])]
    pred = [labels[j] for i in range(3) for j in range(3) for _ in range(conf[i, j])]
    r = compute_metrics(truth, pred, labels)
    for metric in ("uf1", "uar", "accuracy"):
        fast = _metric_from_confusion(conf[None].astype(float), metric)[0]
        assert fast == pytest.approx(getattr(r, metric))
