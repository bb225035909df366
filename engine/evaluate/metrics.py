"""UF1, UAR, accuracy, per-class figures and the confusion matrix, the MEGC 2019 way.

Everything is computed by scikit-learn on predictions pooled over all LOSO folds; the labels are passed
explicitly so a class that is never predicted (or never present) still counts in the unweighted means,
which is what makes UF1/UAR robust to class imbalance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from engine.errors import GlimpseError
from engine.labels import LABELS_ME


@dataclass(frozen=True)
class MetricReport:
    """Pooled metrics of one set of predictions; ``confusion`` rows are truth, columns are predictions."""

    uf1: float
    uar: float
    accuracy: float
    per_class: dict[str, dict[str, float]]
    confusion: np.ndarray = field(repr=False)
    labels: tuple[str, ...]
    n: int

    def as_rows(self, scope: str = "overall") -> list[tuple[str, str, float]]:
        """(scope, name, value) rows, ready for the catalog's Metric table.

        Per-class rows use scope ``class:<label>`` (the schema's convention) for the overall report, and
        ``<scope>/class:<label>`` otherwise, so a fold's class figures never overwrite the pooled ones.
        """
        rows = [(scope, "uf1", self.uf1), (scope, "uar", self.uar), (scope, "accuracy", self.accuracy)]
        for label in self.labels:
            class_scope = f"class:{label}" if scope == "overall" else f"{scope}/class:{label}"
            for name in ("precision", "recall", "f1", "support"):
                rows.append((class_scope, name, float(self.per_class[label][name])))
        return rows

    def to_dict(self) -> dict:
        """A JSON-friendly form (for run folders and the workbench)."""
        return {
            "uf1": self.uf1,
            "uar": self.uar,
            "accuracy": self.accuracy,
            "n": self.n,
            "labels": list(self.labels),
            "per_class": self.per_class,
            "confusion": self.confusion.tolist(),
        }


def labels_of(values: Sequence[str]) -> tuple[str, ...]:
    """A confusion matrix's rows: the three ME classes always (a 3×3 matrix even if a class was never
    predicted), then any other label that occurs, sorted."""
    return (*LABELS_ME, *sorted(set(values) - set(LABELS_ME)))


def _check(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> None:
    if len(truth) != len(predicted):
        raise GlimpseError(
            f"{len(truth)} true labels but {len(predicted)} predictions",
            hint="pass one prediction per clip",
        )
    if not labels:
        raise GlimpseError("no class labels given", hint="pass the label set, negative,positive,surprise")
    known = set(labels)
    unknown = sorted({str(x) for x in list(truth) + list(predicted)} - known)
    if unknown:
        raise GlimpseError(
            f"labels {unknown} are not in the label set {list(labels)}",
            hint="map raw emotions to the protocol's classes before computing metrics",
        )


def compute_metrics(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> MetricReport:
    """UF1 (mean per-class F1), UAR (mean per-class recall), accuracy, per-class table and confusion."""
    truth = [str(x) for x in truth]
    predicted = [str(x) for x in predicted]
    labels = [str(x) for x in labels]
    _check(truth, predicted, labels)
    if not truth:
        zero = {lab: {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0.0} for lab in labels}
        return MetricReport(0.0, 0.0, 0.0, zero, np.zeros((len(labels),) * 2, dtype=int), tuple(labels), 0)
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=0
    )
    uf1 = float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0))
    # UAR over the classes present in the truth would hide an absent class; MEGC averages over all
    # protocol classes, so it is the plain mean of the per-class recalls.
    uar = float(np.mean(recall))
    per_class = {
        lab: {
            "precision": float(precision[i]),
            "recall": float(recall[i]),
            "f1": float(f1[i]),
            "support": float(support[i]),
        }
        for i, lab in enumerate(labels)
    }
    return MetricReport(
        uf1=uf1,
        uar=uar,
        accuracy=float(accuracy_score(truth, predicted)),
        per_class=per_class,
        confusion=confusion_matrix(truth, predicted, labels=labels),
        labels=tuple(labels),
        n=len(truth),
    )


def unweighted_scores(truth: np.ndarray, predicted: np.ndarray, n_labels: int) -> tuple[float, float]:
    """(UF1, UAR) of label indices by the same arithmetic as ``compute_metrics``'s scikit-learn calls —
    per-class F1 = 2·TP / (support + predicted), recall = TP / support, 0 where undefined, plain means —
    so the same bits, without its per-call checks: for the hundreds of draws of a chance level."""
    confusion = np.bincount(truth * n_labels + predicted, minlength=n_labels * n_labels)
    confusion = confusion.reshape(n_labels, n_labels)
    tp = np.diag(confusion).astype(np.float64)
    support, chosen = confusion.sum(1), confusion.sum(0)
    f1 = np.divide(2.0 * tp, support + chosen, out=np.zeros(n_labels), where=(support + chosen) > 0)
    recall = np.divide(tp, support, out=np.zeros(n_labels), where=support > 0)
    return float(np.mean(f1)), float(np.mean(recall))


def pooled_and_per_group(
    truth: Sequence[str], predicted: Sequence[str], groups: Sequence[str], labels: Sequence[str]
) -> dict[str, MetricReport]:
    """Pooled metrics under key ``"overall"`` plus one report per group (dataset, fold, subject).

    The per-group figures come from the very same pooled predictions (MEGC 2019 reports each
    sub-dataset this way), never from separately trained models.
    """
    if len(groups) != len(truth):
        raise GlimpseError(f"{len(groups)} group names for {len(truth)} clips", hint="one group per clip")
    reports = {"overall": compute_metrics(truth, predicted, labels)}
    by_group: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        by_group.setdefault(str(g), []).append(i)
    for g in sorted(by_group):
        idx = by_group[g]
        reports[g] = compute_metrics([truth[i] for i in idx], [predicted[i] for i in idx], labels)
    return reports
