"""Inter-annotator agreement: Cohen's/Fleiss' kappa for labels, apex distance and onset-offset IoU.

Kappa corrects raw agreement for chance, which matters because ME labels are unbalanced (negative
dominates); IoU and apex distance say whether annotators agree on *when*, not only on *what*.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import cohen_kappa_score

from engine.errors import GlimpseError


@dataclass(frozen=True)
class Coding:
    """One annotator's coding of one clip (the fields agreement looks at)."""

    clip_id: int
    annotator: str
    label: str | None
    onset: int | None = None
    apex: int | None = None
    offset: int | None = None


@dataclass(frozen=True)
class AgreementReport:
    annotator_a: str
    annotator_b: str
    n_shared: int  # clips both annotated (with a label)
    cohen_kappa: float | None
    raw_agreement: float | None
    n_fleiss_clips: int  # clips with >= 3 annotators
    fleiss_kappa: float | None
    mean_apex_distance: float | None  # frames, over shared clips with both apexes
    mean_interval_iou: float | None  # over shared clips with both onset and offset


def cohen_kappa(labels_a: Sequence[str], labels_b: Sequence[str]) -> float:
    """Cohen's kappa of two annotators over the same items (sklearn)."""
    if len(labels_a) != len(labels_b):
        raise GlimpseError("the two label lists differ in length", hint="pass the labels of shared clips")
    if not labels_a:
        raise GlimpseError("no shared clips to compare", hint="both annotators must label the same clips")
    if len(set(labels_a) | set(labels_b)) == 1:
        return 1.0  # perfect agreement on a single category; sklearn would return nan
    return float(cohen_kappa_score(list(labels_a), list(labels_b)))


def fleiss_kappa(items: Sequence[Sequence[str]]) -> float:
    """Fleiss' kappa for items each rated by the same number n >= 2 of raters.

    Items rated by more raters than the smallest count are trimmed to it, as Fleiss requires a fixed n.
    """
    if not items:
        raise GlimpseError("no clips with enough annotators for Fleiss' kappa")
    n = min(len(item) for item in items)
    if n < 2:
        raise GlimpseError("Fleiss' kappa needs at least two ratings per clip")
    categories = sorted({label for item in items for label in item[:n]})
    index = {c: i for i, c in enumerate(categories)}
    counts = np.zeros((len(items), len(categories)))
    for row, item in enumerate(items):
        for label in item[:n]:
            counts[row, index[label]] += 1
    p_j = counts.sum(axis=0) / (len(items) * n)
    p_i = ((counts**2).sum(axis=1) - n) / (n * (n - 1))
    p_bar, p_e = p_i.mean(), float((p_j**2).sum())
    if np.isclose(p_e, 1.0):
        return 1.0
    return float((p_bar - p_e) / (1 - p_e))


def apex_distance(apex_a: int, apex_b: int) -> int:
    """Frames between two apex codings."""
    return abs(int(apex_a) - int(apex_b))


def interval_iou(onset_a: int, offset_a: int, onset_b: int, offset_b: int) -> float:
    """IoU of two inclusive frame intervals [onset, offset]."""
    if offset_a < onset_a or offset_b < onset_b:
        raise GlimpseError("an interval has offset before onset", hint="onset must be <= offset")
    inter = max(0, min(offset_a, offset_b) - max(onset_a, onset_b) + 1)
    union = (offset_a - onset_a + 1) + (offset_b - onset_b + 1) - inter
    return inter / union


def agreement_report(codings: Iterable[Coding], annotator_a: str, annotator_b: str) -> AgreementReport:
    """Agreement of two annotators over the clips they both coded, and Fleiss over clips with >= 3."""
    by_clip: dict[int, dict[str, Coding]] = defaultdict(dict)
    for coding in codings:
        by_clip[coding.clip_id][coding.annotator] = coding
    shared = [
        (c[annotator_a], c[annotator_b])
        for _, c in sorted(by_clip.items())
        if annotator_a in c and annotator_b in c
    ]
    labelled = [(a, b) for a, b in shared if a.label and b.label]
    kappa = raw = None
    if labelled:
        la = [a.label for a, _ in labelled if a.label]
        lb = [b.label for _, b in labelled if b.label]
        kappa = cohen_kappa(la, lb)
        raw = sum(x == y for x, y in zip(la, lb, strict=True)) / len(la)
    apexes = [apex_distance(a.apex, b.apex) for a, b in shared if a.apex is not None and b.apex is not None]
    ious = [
        interval_iou(a.onset, a.offset, b.onset, b.offset)
        for a, b in shared
        if a.onset is not None and a.offset is not None and b.onset is not None and b.offset is not None
    ]
    multi = [[c.label for c in coded.values() if c.label] for coded in by_clip.values()]
    multi = [labels for labels in multi if len(labels) >= 3]
    return AgreementReport(
        annotator_a=annotator_a,
        annotator_b=annotator_b,
        n_shared=len(labelled),
        cohen_kappa=kappa,
        raw_agreement=raw,
        n_fleiss_clips=len(multi),
        fleiss_kappa=fleiss_kappa(multi) if multi else None,
        mean_apex_distance=float(np.mean(apexes)) if apexes else None,
        mean_interval_iou=float(np.mean(ious)) if ious else None,
    )
