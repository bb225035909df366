"""An ablation's comparison: each variant's spread over seeds and the paired tests of the reference
(FULL) against every other variant.

Computed ONCE, when the ablation ends, and written as the parent run's ``comparison`` artefact
(``comparison.json``); the pages and the CLI read that document back instead of recomputing it. Runs
that are not part of an ablation (a baseline picked beside one, stand-alone runs) have no document;
``spread_rows`` and ``paired_by_seed`` summarise those from their stored metrics.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from engine.errors import GlimpseError
from engine.evaluate.stats import ONE_SEED, interval_note, no_test, paired_test, seed_spread
from engine.evaluate.verdicts import ChanceLevels

REFERENCE = "full"  # the paper's method: every other variant is tested against it
COMPARISON_KIND = "comparison"  # the artefact kind of the written document
SUMMARY_METRICS = ("uf1", "uar", "accuracy")  # pooled metrics summarised over seeds


@dataclass
class VariantOutcome:
    """One (variant, seed) child run's pooled figures, as the ablation collects them."""

    run_id: str
    variant: str
    seed: int
    uf1: float
    uar: float
    accuracy: float
    fold_uf1: dict[str, float] = field(default_factory=dict)  # per held-out subject
    truth: list[str] = field(default_factory=list)  # the pooled true labels (for the chance levels)


def compare_outcomes(
    outcomes: Sequence[VariantOutcome], chance: Mapping[str, float] | None = None, reference: str = REFERENCE
) -> dict[str, Any]:
    """The comparison document: per variant the figures of every seed and their spread; the reference
    against each other variant, paired over seeds and over folds (per-subject UF1 averaged over seeds,
    paired by subject)."""
    variants = list(dict.fromkeys(o.variant for o in outcomes))
    out: dict[str, Any] = {"variants": {}, "paired": {}, "reference": reference}
    for v in variants:
        mine = sorted((o for o in outcomes if o.variant == v), key=lambda o: o.seed)
        row: dict[str, Any] = {"seeds": [o.seed for o in mine], "runs": [o.run_id for o in mine]}
        for metric in SUMMARY_METRICS:
            values = [float(getattr(o, metric)) for o in mine]
            s = seed_spread(values)
            row |= {
                metric: values,
                f"{metric}_mean": s.mean,
                f"{metric}_sd": s.sd,
                f"{metric}_ci": [s.ci_low, s.ci_high],
            }
        out["variants"][v] = row
    if chance is not None:
        out["chance"] = dict(chance)
    if reference not in variants:
        return out
    ref = {o.seed: o for o in outcomes if o.variant == reference}
    for v in variants:
        if v == reference:
            continue
        other = {o.seed: o for o in outcomes if o.variant == v}
        seeds = sorted(set(ref) & set(other))
        subjects = sorted(set.intersection(*[set(o.fold_uf1) for o in [*ref.values(), *other.values()]]))

        def fold_means(
            runs: Mapping[int, VariantOutcome], seeds: list[int] = seeds, subjects: list[str] = subjects
        ) -> list[float]:
            return [float(np.mean([runs[s].fold_uf1[sub] for s in seeds])) for sub in subjects]

        by_fold = paired_test(fold_means(ref), fold_means(other))
        if len(seeds) < 2:  # folds of ONE training run: the pairs share its training randomness
            by_fold = no_test(by_fold["mean_diff"], by_fold["n"], ONE_SEED)
        out["paired"][f"{reference}_vs_{v}"] = {
            "by_seed_uf1": paired_test([ref[s].uf1 for s in seeds], [other[s].uf1 for s in seeds]),
            "by_seed_uar": paired_test([ref[s].uar for s in seeds], [other[s].uar for s in seeds]),
            "by_fold_uf1": by_fold,
        }
    return out


def write_comparison(path: Path, document: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")


def read_comparison(path: Path) -> dict[str, Any]:
    """The document ``write_comparison`` wrote; a missing or damaged file is a GlimpseError naming it."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise GlimpseError(
            f"cannot read the ablation's comparison: {error}", where=str(path), hint="re-run the ablation"
        ) from error
    if not isinstance(document, dict) or not isinstance(document.get("variants"), dict):
        raise GlimpseError("the comparison file has no 'variants' object", where=str(path))
    return document


def _optional(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class MetricFigures:
    """One metric of one variant over its seeds: the values (seed order), their mean, sd and 95% CI."""

    values: tuple[float, ...]
    mean: float
    sd: float | None
    ci: tuple[float | None, float | None]


@dataclass(frozen=True)
class VariantFigures:
    """One variant of an ablation: its seeds, their runs, and each summarised metric (``SUMMARY_METRICS``
    the document holds)."""

    seeds: tuple[int, ...]
    runs: tuple[str, ...]
    metrics: Mapping[str, MetricFigures]


@dataclass(frozen=True)
class PairedFigures:
    """One paired test as ``engine.evaluate.stats.paired_test`` wrote it (None: the test was not run)."""

    n: int
    mean_diff: float
    t: float | None
    p_t: float | None
    w: float | None
    p_wilcoxon: float | None
    note: str


@dataclass(frozen=True)
class AblationComparison:
    """The comparison document an ablation wrote when it ended, read into typed figures."""

    reference: str
    variants: Mapping[str, VariantFigures]
    # "<reference>_vs_<variant>" → "by_seed_uf1" / "by_seed_uar" / "by_fold_uf1" → the test
    paired: Mapping[str, Mapping[str, PairedFigures]]
    chance: ChanceLevels | None

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> AblationComparison:
        """From ``read_comparison``'s document (a metric a document lacks is left out)."""

        def figures(row: Mapping[str, Any], metric: str) -> MetricFigures:
            low, high = row.get(f"{metric}_ci") or (None, None)
            return MetricFigures(
                values=tuple(float(v) for v in row[metric]),
                mean=float(row[f"{metric}_mean"]),
                sd=_optional(row.get(f"{metric}_sd")),
                ci=(_optional(low), _optional(high)),
            )

        def test(values: Mapping[str, Any]) -> PairedFigures:
            return PairedFigures(
                n=int(values["n"]),
                mean_diff=float(values["mean_diff"]),
                t=_optional(values.get("t")),
                p_t=_optional(values.get("p_t")),
                w=_optional(values.get("w")),
                p_wilcoxon=_optional(values.get("p_wilcoxon")),
                note=str(values.get("note") or ""),
            )

        return cls(
            reference=str(document.get("reference", REFERENCE)),
            variants={
                name: VariantFigures(
                    seeds=tuple(int(s) for s in row["seeds"]),
                    runs=tuple(str(r) for r in row.get("runs", ())),
                    metrics={m: figures(row, m) for m in SUMMARY_METRICS if m in row},
                )
                for name, row in document["variants"].items()
            },
            paired={
                name: {kind: test(values) for kind, values in tests.items()}
                for name, tests in document.get("paired", {}).items()
            },
            chance=ChanceLevels.from_mapping(document.get("chance")),
        )


SUMMARY_COLUMNS = ["variant", "metric", "mean", "sd", "ci_low", "ci_high", "n", "note"]


def document_values(
    document: Mapping[str, Any], variants: Sequence[str] | None = None
) -> dict[str, dict[str, list[float]]]:
    """The per-seed figures a comparison document holds: ``values[variant][metric]`` (seed order)."""
    return {
        variant: {m: [float(x) for x in row.get(m, [])] for m in SUMMARY_METRICS}
        for variant, row in document["variants"].items()
        if variants is None or variant in variants
    }


def summary_rows(document: Mapping[str, Any], variants: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Mean / sd / CI rows of a comparison document (of ``variants`` only, when given), from the
    per-seed figures it holds and the one interval rule of ``seed_spread`` (documents written before
    that rule held intervals clipped to [0, 1], or from two seeds: they are not shown as written)."""
    return spread_rows(document_values(document, variants))


def spread_rows(values: Mapping[str, Mapping[str, Sequence[float]]]) -> list[dict[str, Any]]:
    """Mean / sd / CI rows: ``values[group][metric]`` = one value per seed (run)."""
    rows = []
    for group, metrics in values.items():
        for metric in SUMMARY_METRICS:
            if metrics.get(metric):
                s = seed_spread(metrics[metric])
                rows.append(
                    {
                        "variant": group,
                        "metric": metric,
                        "mean": s.mean,
                        "sd": s.sd,
                        "ci_low": s.ci_low,
                        "ci_high": s.ci_high,
                        "n": s.n,
                        "note": interval_note(s.n),
                    }
                )
    return rows


def paired_rows(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per written paired test: which comparison, which test (by seed / by fold), its figures."""
    return [
        {"comparison": name, "test": kind, **test}
        for name, tests in document.get("paired", {}).items()
        for kind, test in tests.items()
    ]


def paired_by_seed(
    values: Mapping[str, Mapping[int, float]], metric: str = "uf1", reference: str = REFERENCE
) -> list[dict[str, Any]]:
    """Paired tests of the reference against each other group over shared seeds, for runs that no
    comparison document covers (``values[group][seed]`` = that run's ``metric``)."""
    ref = values.get(reference)
    if not ref:
        return []
    rows = []
    for group, mine in values.items():
        seeds = sorted(set(mine) & set(ref))
        if group == reference or len(seeds) < 2:
            continue
        test = paired_test([ref[s] for s in seeds], [mine[s] for s in seeds])
        rows.append({"comparison": f"{reference}_vs_{group}", "test": f"by_seed_{metric}", **test})
    return rows


def class_f1_means(metrics: pd.DataFrame, groups: Sequence[str]) -> pd.DataFrame:
    """Mean per-class F1 of each group over its runs (rows = groups in ``groups`` order, columns = class).

    ``metrics`` has columns group, scope, name, value (the catalog's metric rows, scope ``class:<label>``).
    """
    per_class = metrics[metrics.scope.str.startswith("class:") & (metrics.name == "f1")]
    if per_class.empty:
        return pd.DataFrame()
    labels = per_class.scope.str.removeprefix("class:")
    means = per_class.assign(label=labels).groupby(["group", "label"]).value.mean().unstack("label")
    means = means.reindex([g for g in groups if g in means.index])
    means.index.name, means.columns.name = "variant", None
    return means


def deltas_vs(class_means: pd.DataFrame, reference: str = REFERENCE) -> pd.DataFrame:
    """Each group's per-class F1 minus the reference's (empty when the reference is not there)."""
    if reference not in class_means.index:
        return pd.DataFrame()
    return class_means.sub(class_means.loc[reference], axis=1)
