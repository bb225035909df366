"""Spread over seeds, paired tests between methods, and a bootstrap CI for one run.

A single LOSO run on a small ME dataset is noisy; claims like "FULL beats FIR" need the spread over
seeds and a paired test on the same seeds/folds, not one number each.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from engine.errors import GlimpseError
from engine.evaluate.metrics import compute_metrics

ONE_SEED = "n/a — one seed"  # what a CI or p-value is when one seed is all there is
MIN_PAIRS = 2  # a paired test needs at least this many pairs
# A t-interval from 2 values has df = 1 (t = 12.7): wider than a metric's whole [0, 1] range, and
# clipping it to that range would hide exactly that. Below this many seeds no interval is given.
MIN_SEEDS_FOR_INTERVAL = 3
ALPHA = 0.05  # the family-wise error rate the Holm correction holds


@dataclass(frozen=True)
class Spread:
    """Mean ± sd (ddof=1) and a t-based 95% confidence interval of the mean.

    With one value there is no spread to estimate: ``sd`` and the interval are None (shown as
    ``ONE_SEED``), never a zero-width interval that would claim certainty one run cannot give. With
    fewer than ``MIN_SEEDS_FOR_INTERVAL`` values there is an sd but no interval (``interval_note``).
    """

    mean: float
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    n: int

    @property
    def has_ci(self) -> bool:
        return self.ci_low is not None and self.ci_high is not None

    def __str__(self) -> str:
        if self.sd is None:
            return f"{self.mean:.4f} (sd and 95% CI {ONE_SEED}, n={self.n})"
        if self.ci_low is None or self.ci_high is None:
            return f"{self.mean:.4f} ± {self.sd:.4f} (95% CI {interval_note(self.n)}, n={self.n})"
        return f"{self.mean:.4f} ± {self.sd:.4f} (95% CI {self.ci_low:.4f}–{self.ci_high:.4f}, n={self.n})"


def interval_note(n: int) -> str:
    """Why a spread over ``n`` seeds has no interval ("" when it has one)."""
    if n >= MIN_SEEDS_FOR_INTERVAL:
        return ""
    if n <= 1:
        return ONE_SEED
    return f"n/a — {n} seeds, too few for an interval (needs ≥ {MIN_SEEDS_FOR_INTERVAL})"


def seed_spread(values: Sequence[float], confidence: float = 0.95) -> Spread:
    """Mean, sd and t-interval of one metric over seeds; one value gives the mean only (sd, CI None),
    fewer than ``MIN_SEEDS_FOR_INTERVAL`` the mean and sd (CI None). The interval is never clipped."""
    x = np.asarray(list(values), dtype=float)
    if x.size == 0:
        raise GlimpseError("no values to summarise", hint="run at least one seed")
    mean = float(x.mean())
    if x.size == 1:
        return Spread(mean, None, None, None, 1)
    sd = float(x.std(ddof=1))
    if x.size < MIN_SEEDS_FOR_INTERVAL:
        return Spread(mean, sd, None, None, int(x.size))
    half = float(stats.t.ppf(0.5 + confidence / 2, df=x.size - 1) * sd / math.sqrt(x.size))
    return Spread(mean, sd, mean - half, mean + half, int(x.size))


def no_test(mean_diff: float, n: int, note: str) -> dict:
    """A paired comparison reported without any test statistic or p-value, saying why (``note``)."""
    return {
        "n": n,
        "mean_diff": mean_diff,
        "t": None,
        "p_t": None,
        "w": None,
        "p_wilcoxon": None,
        "note": note,
    }


def paired_test(a: Sequence[float], b: Sequence[float]) -> dict:
    """Paired t-test and Wilcoxon signed-rank test of a vs b (same seeds/folds, in the same order).

    Returns mean_diff (a − b), n, t/p_t, w/p_wilcoxon (None where n does not allow the test) and a
    ``note`` saying why a test was skipped. Fewer than ``MIN_PAIRS`` pairs: no test at all; differences
    that are all equal: no t-test (its statistic is undefined), never a p of 1.
    """
    x = np.asarray(list(a), dtype=float)
    y = np.asarray(list(b), dtype=float)
    if x.shape != y.shape:
        raise GlimpseError(
            f"paired test needs equal lengths, got {x.size} and {y.size}",
            hint="compare runs over the same seeds",
        )
    d = x - y
    mean_diff = float(d.mean()) if d.size else float("nan")
    if x.size < MIN_PAIRS:
        return no_test(mean_diff, int(x.size), f"n/a — {x.size} pair(s); a paired test needs {MIN_PAIRS}")
    out = no_test(mean_diff, int(x.size), "")
    notes = []
    if np.allclose(d, d[0]):
        notes.append("differences are all equal: t-test undefined")
    else:
        t = stats.ttest_rel(x, y)
        out["t"], out["p_t"] = float(t.statistic), float(t.pvalue)
    nonzero = int(np.count_nonzero(d))
    if nonzero < 6:
        # with fewer than 6 non-zero pairs the smallest two-sided Wilcoxon p is > 0.05
        notes.append(f"only {nonzero} non-zero differences: Wilcoxon cannot reach p < 0.05")
    if nonzero >= 1:
        w = stats.wilcoxon(x, y)
        out["w"], out["p_wilcoxon"] = float(w.statistic), float(w.pvalue)
    out["note"] = "; ".join(notes)
    return out


def holm_adjust(p_values: Sequence[float]) -> list[float]:
    """Holm–Bonferroni step-down adjusted p-values (Holm 1979), in the input's order.

    Sort the m p-values ascending, p(1) ≤ … ≤ p(m); the adjusted p(i) is max over j ≤ i of
    min(1, (m − j + 1) · p(j)). Rejecting every hypothesis whose adjusted p is below α holds the
    family-wise error rate at α, like Bonferroni, but rejects at least as much. Written here because
    neither scipy (only Benjamini–Hochberg, ``false_discovery_control``) nor any installed package has
    it; ``tests/evaluate/test_holm.py`` checks it against hand-computed values.
    """
    p = np.asarray(list(p_values), dtype=float)
    if p.size == 0:
        return []
    if np.any((p < 0) | (p > 1) | np.isnan(p)):
        raise GlimpseError(f"p-values must lie in [0, 1], got {p.tolist()}")
    order = np.argsort(p, kind="stable")
    m = p.size
    stepped = np.minimum(1.0, (m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(stepped)
    return [float(v) for v in adjusted]


def bootstrap_ci(
    truth: Sequence[str],
    predicted: Sequence[str],
    labels: Sequence[str],
    metric: str = "uf1",
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> tuple[float, float, float]:
    """(point, low, high): percentile bootstrap over clips of one run's pooled metric.

    Resampling clips captures the uncertainty from a small test set; it does not capture training
    randomness (use seed_spread for that).
    """
    if metric not in {"uf1", "uar", "accuracy"}:
        raise GlimpseError(f"unknown metric {metric!r}", hint="use uf1, uar or accuracy")
    truth = [str(v) for v in truth]
    predicted = [str(v) for v in predicted]
    point = float(getattr(compute_metrics(truth, predicted, labels), metric))
    if not truth:
        return point, point, point
    # Resamples are scored from integer-coded confusion counts (same formulas as sklearn's, checked in
    # tests against compute_metrics) so 1000 resamples take milliseconds, not seconds.
    index = {lab: i for i, lab in enumerate(labels)}
    k = len(labels)
    t = np.asarray([index[v] for v in truth])
    p = np.asarray([index[v] for v in predicted])
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, t.size, size=(n_boot, t.size))
    cells = (t[idx] * k + p[idx]) + (np.arange(n_boot)[:, None] * k * k)
    conf = np.bincount(cells.ravel(), minlength=n_boot * k * k).reshape(n_boot, k, k).astype(float)
    values = _metric_from_confusion(conf, metric)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(values, [alpha, 1 - alpha])
    return point, float(low), float(high)


def _metric_from_confusion(conf: np.ndarray, metric: str) -> np.ndarray:
    """UF1/UAR/accuracy of a stack of confusion matrices (B, K, K), rows = truth; 0/0 counts as 0."""
    diag = np.diagonal(conf, axis1=1, axis2=2)
    if metric == "accuracy":
        return diag.sum(1) / conf.sum((1, 2))
    true_n = conf.sum(2)
    pred_n = conf.sum(1)
    recall = np.divide(diag, true_n, out=np.zeros_like(diag), where=true_n > 0)
    if metric == "uar":
        return recall.mean(1)
    precision = np.divide(diag, pred_n, out=np.zeros_like(diag), where=pred_n > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(diag), where=denom > 0)
    return f1.mean(1)
