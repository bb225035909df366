"""The chance level's fast UF1/UAR must be the very numbers ``compute_metrics`` (scikit-learn) gives, bit for
bit, including classes never predicted or never present — and the chance levels the ones the per-draw
scikit-learn computation gave."""

from __future__ import annotations

import numpy as np

from engine.evaluate.metrics import compute_metrics, unweighted_scores
from engine.labels import LABELS_ME
from engine.train.runs import chance_levels


def test_same_bits_as_scikit_learn_on_random_and_degenerate_draws() -> None:
    rng = np.random.default_rng(7)
    labels = list(LABELS_ME)
    cases = [(rng.integers(0, 3, n), rng.integers(0, 3, n)) for n in (1, 2, 5, 17, 60, 255)]
    cases += [
        (np.zeros(9, int), np.zeros(9, int)),
        (np.zeros(9, int), np.full(9, 2)),
        (np.array([1, 2]), np.array([0, 0])),
    ]
    for truth, predicted in cases:
        report = compute_metrics([labels[i] for i in truth], [labels[i] for i in predicted], labels)
        assert unweighted_scores(truth, predicted, 3) == (report.uf1, report.uar)


def test_chance_levels_are_the_per_draw_scikit_learn_figures() -> None:
    truth = ["negative"] * 30 + ["positive"] * 12 + ["surprise"] * 9
    rng = np.random.default_rng(0)  # the computation chance_levels did draw by draw before
    draws = [
        compute_metrics(truth, list(rng.choice(list(LABELS_ME), len(truth))), LABELS_ME) for _ in range(200)
    ]
    chance = chance_levels(truth, LABELS_ME)
    assert chance["uniform_uf1"] == float(np.mean([r.uf1 for r in draws]))
    assert chance["uniform_uar"] == float(np.mean([r.uar for r in draws]))
    assert chance["majority_uar"] == 1 / 3 and 0.2 < chance["uniform_uf1"] < 0.45
