"""What to code next: clips ranked for coders and adjudicators by a stated score, with the reasons.

A coder's hour is best spent where a label is most likely to change something: where the model is
unsure, where trained runs disagree, where coders disagree, and where no one has coded yet. The score
is a weighted sum of four terms, each in [0, 1], so a reader can recompute it by hand:

- ``entropy`` E = H(p̄) / ln K: the Shannon entropy of the clip's class scores averaged over the chosen
  runs (e.g. the seeds / variants of an ablation), normalised by its maximum over K classes;
- ``runs`` R = 1 − m / n: the share of the n chosen runs that do not predict the clip's modal class
  (0 with fewer than two runs);
- ``coders`` C = 1 − m / n: the share of the n coders (every annotator but ``source`` and ``consensus``)
  who did not give the most common label (0 with fewer than two coders);
- ``uncoded`` U = 1 when no coder has coded the clip.

score = w_E·E + w_R·R + w_C·C + w_U·U (all weights 1 by default); ties go to the lower clip id.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import entropy as shannon_entropy

from engine.annotate.agreement import CONSENSUS
from engine.annotate.review import FullCoding
from engine.annotate.sources import SOURCE
from engine.errors import GlimpseError


@dataclass(frozen=True)
class QueueWeights:
    """How much each term counts (see the module docstring); all ≥ 0."""

    entropy: float = 1.0
    runs: float = 1.0
    coders: float = 1.0
    uncoded: float = 1.0

    def __post_init__(self) -> None:
        if min(self.entropy, self.runs, self.coders, self.uncoded) < 0:
            raise GlimpseError("queue weights must be ≥ 0")


@dataclass(frozen=True)
class QueueItem:
    """One clip in the queue: its score, each term (None: no data for it) and the reasons, worst first."""

    clip_id: int
    score: float
    entropy: float | None
    run_disagreement: float | None
    coder_disagreement: float | None
    uncoded: bool
    reasons: tuple[str, ...]


def normalised_entropy(probabilities: Sequence[Sequence[float]]) -> float:
    """H(mean of the rows) / ln K, in [0, 1] (each row one run's class scores of the clip)."""
    mean = np.mean(np.asarray(probabilities, dtype=float), axis=0)
    if mean.sum() <= 0:
        return 1.0
    return float(shannon_entropy(mean / mean.sum()) / math.log(len(mean)))


def _modal_share(values: Sequence[str]) -> tuple[str, int]:
    """The most common value (ties: the first seen) and how many gave it."""
    value, count = Counter(values).most_common(1)[0]
    return value, count


def _terms(
    runs: Sequence[Sequence[float]], coders: Sequence[FullCoding], classes: Sequence[str]
) -> tuple[float | None, float | None, float | None, bool, list[tuple[float, str]]]:
    """(E, R, C, U) of one clip and the reason each non-zero term gives."""
    reasons: list[tuple[float, str]] = []
    entropy = normalised_entropy(runs) if runs else None
    if entropy is not None and entropy > 0:
        reasons.append(
            (entropy, f"model unsure: entropy {entropy:.2f} of the class scores ({len(runs)} run(s))")
        )
    run_disagreement = None
    if len(runs) >= 2:
        predicted = [classes[int(np.argmax(r))] for r in runs]
        modal, count = _modal_share(predicted)
        run_disagreement = 1.0 - count / len(runs)
        if run_disagreement > 0:
            reasons.append((run_disagreement, f"runs disagree: {count} of {len(runs)} say {modal}"))
    labelled = [c for c in coders if c.label]
    coder_disagreement = None
    if len(labelled) >= 2:
        _, count = _modal_share([str(c.label) for c in labelled])
        coder_disagreement = 1.0 - count / len(labelled)
        if coder_disagreement > 0:
            said = ", ".join(f"{c.annotator} {c.label}" for c in sorted(labelled, key=lambda c: c.annotator))
            reasons.append((coder_disagreement, f"coders disagree: {said}"))
    uncoded = not coders
    if uncoded:
        reasons.append((1.0, "no coder has coded it"))
    return entropy, run_disagreement, coder_disagreement, uncoded, reasons


def rank_clips(
    clip_ids: Iterable[int],
    run_scores: Mapping[int, Sequence[Sequence[float]]],
    codings: Iterable[FullCoding],
    classes: Sequence[str],
    weights: QueueWeights = QueueWeights(),
) -> list[QueueItem]:
    """The clips ranked by the score above, highest first.

    ``run_scores[clip]``: one row of class scores (ordered as ``classes``) per chosen run that predicted
    the clip; ``codings``: every annotation of the clips (``source`` and ``consensus`` are not coders).
    """
    coders: dict[int, list[FullCoding]] = defaultdict(list)
    for coding in codings:
        if coding.annotator not in (SOURCE, CONSENSUS):
            coders[coding.clip_id].append(coding)
    items = []
    for clip_id in dict.fromkeys(clip_ids):
        e, r, c, u, reasons = _terms(run_scores.get(clip_id, ()), coders.get(clip_id, []), classes)
        score = (
            weights.entropy * (e or 0.0)
            + weights.runs * (r or 0.0)
            + weights.coders * (c or 0.0)
            + weights.uncoded * float(u)
        )
        ordered = tuple(text for _, text in sorted(reasons, key=lambda x: -x[0]))
        items.append(QueueItem(clip_id, score, e, r, c, u, ordered))
    return sorted(items, key=lambda item: (-item.score, item.clip_id))
