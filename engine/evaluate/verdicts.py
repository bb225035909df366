"""What a comparison says, in words: the paired tests corrected for multiple comparisons (Holm), one
sentence per comparison, and the chance levels a figure should be read against.

A table of nine p-values invites reading the smallest one as a finding; the sentence says the
difference, whether it survives the correction over every test shown, how many seeds it rests on and,
where the seeds allow, the 95 % interval of the difference — or why there is none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.evaluate.stats import ALPHA, MIN_PAIRS, MIN_SEEDS_FOR_INTERVAL, holm_adjust, seed_spread

CORRECTION = "Holm"  # the multiple-comparison correction applied over every paired test shown
ADJUSTED = {"p_t": "p_t_holm", "p_wilcoxon": "p_wilcoxon_holm"}  # raw p column → its adjusted column
PRIMARY_TEST = "by_seed_uf1"  # the test a verdict rests on: UF1 paired over seeds


def with_holm(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The paired-test rows with Holm-adjusted p-values beside the raw ones: each test family (the
    t-tests; the Wilcoxon tests) is corrected over every row of the table that has a p-value."""
    out = [dict(r) for r in rows]
    for raw, adjusted in ADJUSTED.items():
        present = [i for i, r in enumerate(out) if r.get(raw) is not None]
        for r in out:
            r[adjusted] = None
        for i, p in zip(present, holm_adjust([float(out[i][raw]) for i in present]), strict=True):
            out[i][adjusted] = p
    return out


@dataclass(frozen=True)
class Verdict:
    """One comparison of the reference against another group, on UF1 over seeds."""

    reference: str
    variant: str
    difference: float | None  # reference − variant, mean over shared seeds (or of the means: no shared seed)
    seeds: int  # shared seeds the difference is paired over
    p_raw: float | None  # the paired t-test's p
    p_adjusted: float | None  # Holm-adjusted over ``tests`` tests
    tests: int  # size of the corrected family
    interval: tuple[float, float] | None  # 95 % t-interval of the difference (≥ MIN_SEEDS_FOR_INTERVAL seeds)
    sentence: str

    @property
    def significant(self) -> bool | None:
        return None if self.p_adjusted is None else self.p_adjusted < ALPHA


def _fmt_p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def verdict(
    reference: str,
    variant: str,
    by_seed: Mapping[str, Mapping[int, float]],
    paired: Sequence[Mapping[str, Any]],
    means: Mapping[str, float] | None = None,
    metric: str = "UF1",
) -> Verdict:
    """The sentence for ``reference`` vs ``variant`` from their per-seed UF1 (``by_seed[group][seed]``)
    and the Holm-corrected rows of ``with_holm``; ``means`` (group → mean UF1) when no seed is shared."""
    ref, other = by_seed.get(reference, {}), by_seed.get(variant, {})
    seeds = sorted(set(ref) & set(other))
    head = f"{reference.upper()} vs {variant.upper()}"
    tests = sum(1 for r in paired if r.get("p_t") is not None)
    if not seeds:
        mine = means or {}
        if reference in mine and variant in mine:
            d = float(mine[reference] - mine[variant])
            sentence = f"{head}: {d:+.3f} {metric} in the means, no seed in common — not a paired comparison"
            return Verdict(reference, variant, d, 0, None, None, tests, None, sentence)
        return Verdict(reference, variant, None, 0, None, None, tests, None, f"{head}: nothing to compare")
    diffs = [ref[s] - other[s] for s in seeds]
    d = float(np.mean(diffs))
    n = len(seeds)
    if n < MIN_PAIRS:
        sentence = (
            f"{head}: {d:+.3f} {metric} on one seed — no test and no interval "
            f"(a test needs {MIN_PAIRS} seeds, an interval {MIN_SEEDS_FOR_INTERVAL})"
        )
        return Verdict(reference, variant, d, n, None, None, tests, None, sentence)
    row = next(
        (
            r
            for r in paired
            if r.get("comparison") == f"{reference}_vs_{variant}" and r.get("test") == PRIMARY_TEST
        ),
        {},
    )
    p_raw, p_adj = row.get("p_t"), row.get("p_t_holm")
    spread = seed_spread(diffs)
    low, high = spread.ci_low, spread.ci_high
    interval = (float(low), float(high)) if low is not None and high is not None else None
    if not row:
        finding = "no paired test stored"
    elif p_adj is None:
        finding = "no t-test (the difference is the same on every seed)"
    else:
        word = "significant" if p_adj < ALPHA else "not significant"
        finding = (
            f"{word} after {CORRECTION} correction over {tests} test{'s' if tests != 1 else ''} "
            f"(adjusted p {_fmt_p(p_adj)})"
        )
    tail = (
        f", 95% CI of the difference {interval[0]:+.3f} to {interval[1]:+.3f}"
        if interval
        else f" — too few for an interval (needs {MIN_SEEDS_FOR_INTERVAL})"
    )
    sentence = f"{head}: {d:+.3f} {metric}, {finding}, {n} seeds{tail}"
    return Verdict(
        reference,
        variant,
        d,
        n,
        None if p_raw is None else float(p_raw),
        None if p_adj is None else float(p_adj),
        tests,
        interval,
        sentence,
    )


@dataclass(frozen=True)
class ChanceLevels:
    """UF1/UAR of two predictors that learned nothing, on the same pooled truth."""

    uniform_uf1: float
    uniform_uar: float
    majority_uf1: float
    majority_uar: float

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> ChanceLevels | None:
        """From a comparison document's ``chance`` object (None when absent or incomplete)."""
        if not values:
            return None
        try:
            keys = ("uniform_uf1", "uniform_uar", "majority_uf1", "majority_uar")
            return cls(*(float(values[k]) for k in keys))
        except (KeyError, TypeError, ValueError):
            return None

    @property
    def sentence(self) -> str:
        return (
            f"Chance levels: a uniform random guess scores UF1 {self.uniform_uf1:.3f} / UAR "
            f"{self.uniform_uar:.3f}; always predicting the most frequent class scores UF1 "
            f"{self.majority_uf1:.3f} / UAR {self.majority_uar:.3f}."
        )
