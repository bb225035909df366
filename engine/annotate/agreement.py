"""Inter-annotator agreement: Cohen's kappa (two annotators, sklearn) and Krippendorff's alpha (any
number, missing codings allowed; the ``krippendorff`` package) for labels; apex distance and
onset-offset IoU for timing.

Both correct raw agreement for chance, which matters because ME labels are unbalanced (negative
dominates); IoU and apex distance say whether annotators agree on *when*, not only on *what*.
The reviewers' ``consensus`` coding is not an annotator and is left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score

from engine.errors import GlimpseError

CONSENSUS = "consensus"  # the reviewers' adjudicated coding (see engine.annotate.review)


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
    n_alpha_clips: int  # clips with >= 2 labelled codings (all annotators)
    krippendorff_alpha: float | None
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


def krippendorff_alpha(labels_by_clip: Sequence[Sequence[str | None]]) -> float:
    """Krippendorff's alpha (nominal) over clips, each with the labels of any number of annotators.

    The ``krippendorff`` package does the arithmetic; missing codings (``None``) are allowed, and clips
    with fewer than two labels carry no information about agreement. One category everywhere is
    perfect agreement (1.0), where the formula would divide by zero.
    """
    rows = [[label for label in clip if label] for clip in labels_by_clip]
    rows = [row for row in rows if len(row) >= 2]
    if not rows:
        raise GlimpseError("no clip has two or more labels", hint="Krippendorff's alpha needs ≥ 2 codings")
    categories = sorted({label for row in rows for label in row})
    if len(categories) == 1:
        return 1.0
    index = {c: i for i, c in enumerate(categories)}
    width = max(len(row) for row in rows)
    data = np.full((width, len(rows)), np.nan)  # coders × units, NaN = not coded
    for unit, row in enumerate(rows):
        for coder, label in enumerate(row):
            data[coder, unit] = index[label]
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


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


def coding_iou(a: Coding, b: Coding) -> float | None:
    """Onset–offset IoU of two codings; None when either lacks an onset or offset."""
    if a.onset is None or a.offset is None or b.onset is None or b.offset is None:
        return None
    return interval_iou(a.onset, a.offset, b.onset, b.offset)


def coding_apex_distance(a: Coding, b: Coding) -> int | None:
    """Apex distance of two codings in frames; None when either has no apex."""
    return None if a.apex is None or b.apex is None else apex_distance(a.apex, b.apex)


def agreement_report(codings: Iterable[Coding], annotator_a: str, annotator_b: str) -> AgreementReport:
    """Agreement of two annotators over the clips they both coded; alpha over every annotator."""
    by_clip: dict[int, dict[str, Coding]] = defaultdict(dict)
    for coding in codings:
        if coding.annotator != CONSENSUS:
            by_clip[coding.clip_id][coding.annotator] = coding
    shared = [
        (c[annotator_a], c[annotator_b])
        for _, c in sorted(by_clip.items())
        if annotator_a in c and annotator_b in c
    ]
    labelled = [(a, b) for a, b in shared if a.label and b.label]
    kappa = raw = None
    if labelled:
        la, lb = [str(a.label) for a, _ in labelled], [str(b.label) for _, b in labelled]
        kappa = cohen_kappa(la, lb)
        raw = sum(x == y for x, y in zip(la, lb, strict=True)) / len(la)
    apexes = [d for a, b in shared if (d := coding_apex_distance(a, b)) is not None]
    ious = [iou for a, b in shared if (iou := coding_iou(a, b)) is not None]
    multi = [[c.label for c in coded.values() if c.label] for coded in by_clip.values()]
    multi = [labels for labels in multi if len(labels) >= 2]
    return AgreementReport(
        annotator_a=annotator_a,
        annotator_b=annotator_b,
        n_shared=len(labelled),
        cohen_kappa=kappa,
        raw_agreement=raw,
        n_alpha_clips=len(multi),
        krippendorff_alpha=krippendorff_alpha(multi) if multi else None,
        mean_apex_distance=float(np.mean(apexes)) if apexes else None,
        mean_interval_iou=float(np.mean(ious)) if ious else None,
    )
