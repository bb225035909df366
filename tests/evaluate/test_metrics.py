"""Metric tests on hand-computed confusion matrices (rows = truth, columns = predicted)."""

from __future__ import annotations

import numpy as np
import pytest

from engine.errors import GlimpseError
from engine.evaluate.metrics import compute_metrics, pooled_and_per_group

LABELS = ["negative", "positive", "surprise"]


def _from_confusion(conf: list[list[int]], labels: list[str] = LABELS) -> tuple[list[str], list[str]]:
    """Expand a confusion matrix (rows = truth) into truth/prediction lists."""
    truth, pred = [], []
    for i, row in enumerate(conf):
        for j, count in enumerate(row):
            truth += [labels[i]] * count
            pred += [labels[j]] * count
    return truth, pred


def test_three_class_hand_computed() -> None:
    # truth\pred  neg pos sur
    #   neg        3   1   0    recall 3/4 = 0.75
    #   pos        0   2   0    recall 2/2 = 1.0
    #   sur        1   1   2    recall 2/4 = 0.5
    # precision: neg 3/4 = 0.75, pos 2/4 = 0.5, sur 2/2 = 1.0
    # F1: neg 0.75, pos 2*.5*1/1.5 = 2/3, sur 2*1*.5/1.5 = 2/3  → UF1 = (0.75 + 4/3)/3 = 0.694444
    # UAR = (0.75 + 1 + 0.5)/3 = 0.75; accuracy = 7/10
    conf = [[3, 1, 0], [0, 2, 0], [1, 1, 2]]
    truth, pred = _from_confusion(conf)
    r = compute_metrics(truth, pred, LABELS)
    np.testing.assert_array_equal(r.confusion, np.array(conf))
    assert r.uf1 == pytest.approx((0.75 + 2 / 3 + 2 / 3) / 3)
    assert r.uf1 == pytest.approx(0.694444, abs=1e-6)
    assert r.uar == pytest.approx(0.75)
    assert r.accuracy == pytest.approx(0.7)
    assert r.n == 10
    expected = {"precision": 0.5, "recall": 1.0, "f1": 2 / 3, "support": 2}
    assert r.per_class["positive"] == pytest.approx(expected)
    assert r.per_class["surprise"]["precision"] == pytest.approx(1.0)


def test_transposed_confusion_changes_uar() -> None:
    # truth\pred  neg pos sur
    #   neg        4   0   0    recall 1
    #   pos        2   2   0    recall 0.5
    #   sur        2   0   2    recall 0.5   → UAR = 2/3
    # column-wise (what a transposed implementation would call "recall"): 4/8, 2/2, 2/2 → 0.8333
    conf = [[4, 0, 0], [2, 2, 0], [2, 0, 2]]
    truth, pred = _from_confusion(conf)
    r = compute_metrics(truth, pred, LABELS)
    assert r.uar == pytest.approx(2 / 3)
    assert r.confusion[1, 0] == 2 and r.confusion[0, 1] == 0  # rows are truth
    swapped = compute_metrics(pred, truth, LABELS)  # truth and prediction swapped = transposed matrix
    assert swapped.uar == pytest.approx(5 / 6)
    assert swapped.uar != pytest.approx(r.uar)
    np.testing.assert_array_equal(swapped.confusion, np.array(conf).T)
    # F1 is symmetric in precision/recall, so UF1 is unchanged by the swap (2/3 each class)
    assert r.uf1 == pytest.approx(2 / 3) and swapped.uf1 == pytest.approx(2 / 3)


def test_class_never_predicted_counts_as_zero() -> None:
    # b is never predicted: precision 0/0 → 0, recall 0/1 → 0, f1 0
    # a: precision 2/3, recall 1, f1 0.8; c: 1, 1, 1 → UF1 = 1.8/3 = 0.6, UAR = 2/3
    truth = ["a", "a", "b", "c"]
    pred = ["a", "a", "a", "c"]
    r = compute_metrics(truth, pred, ["a", "b", "c"])
    assert r.per_class["b"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1.0}
    assert r.per_class["a"]["f1"] == pytest.approx(0.8)
    assert r.uf1 == pytest.approx(0.6)
    assert r.uar == pytest.approx(2 / 3)
    assert r.accuracy == pytest.approx(0.75)


def test_as_rows_names_and_values() -> None:
    r = compute_metrics(["a", "b"], ["a", "a"], ["a", "b"])
    rows = dict(((s, n), v) for s, n, v in r.as_rows())
    assert rows[("overall", "accuracy")] == pytest.approx(0.5)
    assert rows[("overall", "uar")] == pytest.approx(0.5)
    assert rows[("class:a", "precision")] == pytest.approx(0.5)
    assert rows[("class:b", "support")] == 1.0
    assert len(rows) == 3 + 2 * 4
    fold_rows = {(s, n) for s, n, _ in r.as_rows("fold:s01")}
    assert ("fold:s01", "uf1") in fold_rows and ("fold:s01/class:a", "f1") in fold_rows


def test_pooled_differs_from_mean_of_groups() -> None:
    # group A: all 2 negatives right → per-group UF1 over 3 labels = 1/3 (only neg has f1 1)
    # group B: positive→positive, surprise→negative
    truth = ["negative", "negative", "positive", "surprise"]
    pred = ["negative", "negative", "positive", "negative"]
    groups = ["A", "A", "B", "B"]
    reports = pooled_and_per_group(truth, pred, groups, LABELS)
    assert set(reports) == {"overall", "A", "B"}
    assert reports["A"].n == 2 and reports["B"].n == 2
    assert reports["A"].accuracy == 1.0 and reports["B"].accuracy == 0.5
    # pooled: neg precision 2/3 recall 1 f1 0.8; pos f1 1; sur f1 0 → UF1 0.6; UAR (1+1+0)/3
    assert reports["overall"].uf1 == pytest.approx(0.6)
    assert reports["overall"].uar == pytest.approx(2 / 3)
    assert reports["overall"].accuracy == pytest.approx(0.75)


def test_bad_input_raises() -> None:
    with pytest.raises(GlimpseError, match="not in the label set"):
        compute_metrics(["a"], ["zzz"], ["a", "b"])
    with pytest.raises(GlimpseError, match="predictions"):
        compute_metrics(["a", "b"], ["a"], ["a", "b"])
