"""Inter-annotator agreement primitives: Cohen's kappa (two annotators, sklearn) and Krippendorff's alpha
(any number, missing codings allowed; the ``krippendorff`` package) for categories; apex distance and
onset-offset IoU for timing. ``engine.annotate.facs_agreement`` builds the Review page's table from them.

Both coefficients correct raw agreement for chance, which matters because ME labels are unbalanced
(negative dominates). Where chance agreement is already 1 (every item in one category for everyone)
the coefficient is 0/0: it is *undefined* and returned as None, never dressed up as 1.0 or 0.0.
The reviewers' ``consensus`` coding is not an annotator and is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score

from engine.errors import GlimpseError

CONSENSUS = "consensus"  # the reviewers' adjudicated coding (see engine.annotate.review)


@dataclass(frozen=True)
class Coding:
    """One annotator's coding of one clip (the fields agreement looks at) and the clip's frame rate."""

    clip_id: int
    annotator: str
    label: str | None
    onset: int | None = None
    apex: int | None = None
    offset: int | None = None
    action_units: str = ""
    fps: float | None = None


def cohen_kappa(labels_a: Sequence[object], labels_b: Sequence[object]) -> float | None:
    """Cohen's kappa of two annotators over the same items (sklearn); None where it is undefined.

    Undefined = chance agreement 1: both annotators gave the same single category to every item, so
    (p_o − p_e) / (1 − p_e) is 0/0 (sklearn would return nan with a warning).
    """
    if len(labels_a) != len(labels_b):
        raise GlimpseError("the two label lists differ in length", hint="pass the labels of shared clips")
    if not labels_a:
        raise GlimpseError("no shared clips to compare", hint="both annotators must label the same clips")
    if len(set(labels_a) | set(labels_b)) == 1:
        return None
    return float(cohen_kappa_score(list(labels_a), list(labels_b)))


def krippendorff_alpha(labels_by_clip: Sequence[Sequence[str | None]]) -> float | None:
    """Krippendorff's alpha (nominal) over clips, each with the labels of any number of annotators.

    The ``krippendorff`` package does the arithmetic; missing codings (``None``) are allowed, and clips
    with fewer than two labels carry no information about agreement. One category everywhere makes the
    expected disagreement 0 and alpha undefined (None).
    """
    rows = [[label for label in clip if label] for clip in labels_by_clip]
    rows = [row for row in rows if len(row) >= 2]
    if not rows:
        raise GlimpseError("no clip has two or more labels", hint="Krippendorff's alpha needs ≥ 2 codings")
    categories = sorted({label for row in rows for label in row})
    if len(categories) == 1:
        return None
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
