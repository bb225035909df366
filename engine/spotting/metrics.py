"""Spotting scored the MEGC way (DATASETS.md, "Spotting (MEGC)"), and STRS for spot-then-recognise.

A predicted interval is a true positive when its IoU with a not-yet-matched true interval of the same
video is ≥ 0.5. IoU counts frames: |P ∩ T| / |P ∪ T| with inclusive onset..offset, compared exactly in
integers (2·|P ∩ T| ≥ |P ∪ T|), so "exactly half" is a TP and "just under half" is not.

Matching rule (MEGC says "not yet matched" but not in which order): per video, every (prediction, truth)
pair with IoU ≥ 0.5 is taken greedily in descending IoU (ties: earlier truth, then earlier prediction);
a pair is kept when neither side is matched yet. Two predictions on one truth: one TP, one FP.
Unmatched predictions are FP, unmatched truths FN; TP/FP/FN are summed over all videos, and precision,
recall and F1 come from those sums (0 when a denominator is 0).

Overall matching ignores types (as MEGC's overall figure); per type, predictions of a type are matched
against truths of that type only, so a micro prediction on a macro truth is a TP overall but a micro FP
and a macro FN. Predictions with no type count overall only (type them first: ``intervals.with_types``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from engine.spotting.intervals import TYPES, Interval

IOU_THRESHOLD = (1, 2)  # as a fraction, so comparisons are exact


def overlap(a: Interval, b: Interval) -> int:
    return max(0, min(a.offset, b.offset) - max(a.onset, b.onset) + 1)


def iou(a: Interval, b: Interval) -> float:
    inter = overlap(a, b)
    return inter / (a.length + b.length - inter)


def is_hit(pred: Interval, truth: Interval) -> bool:
    """IoU ≥ 0.5, in integer arithmetic."""
    inter = overlap(pred, truth)
    num, den = IOU_THRESHOLD
    return inter > 0 and den * inter >= num * (pred.length + truth.length - inter)


@dataclass(frozen=True)
class Outcome:
    """One line of the MEGC spotting log: a TP pair, an FP prediction or an FN truth."""

    video: str
    result: str  # TP | FP | FN
    pred: Interval | None
    truth: Interval | None
    iou: float


@dataclass(frozen=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        den = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / den if den else 0.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def to_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


def _counts(outcomes: Iterable[Outcome]) -> Counts:
    results = [o.result for o in outcomes]
    return Counts(results.count("TP"), results.count("FP"), results.count("FN"))


@dataclass(frozen=True)
class SpotReport:
    overall: Counts
    by_type: dict[str, Counts]
    outcomes: tuple[Outcome, ...] = field(repr=False)  # of the overall (type-blind) matching
    by_video: dict[str, Counts] = field(repr=False, default_factory=dict)

    def to_dict(self) -> dict:
        """``tp, fp, fn, precision, recall, f1`` overall, the same per type under ``by_type``."""
        return {**self.overall.to_dict(), "by_type": {t: c.to_dict() for t, c in self.by_type.items()}}

    def as_rows(self, scope: str = "overall") -> list[tuple[str, str, float]]:
        """(scope, name, value) rows for the catalog's Metric table (per type: ``type:<t>``)."""
        rows = [(scope, k, float(v)) for k, v in self.overall.to_dict().items()]
        for kind, counts in self.by_type.items():
            rows += [(f"type:{kind}", k, float(v)) for k, v in counts.to_dict().items()]
        for video, counts in self.by_video.items():
            rows += [(f"video:{video}", k, float(v)) for k, v in counts.to_dict().items()]
        return rows


def match_video(video: str, truth: Sequence[Interval], preds: Sequence[Interval]) -> list[Outcome]:
    """The greedy IoU matching of one video's predictions to its truths (see the module docstring)."""
    pairs = [(iou(p, t), ti, pi) for ti, t in enumerate(truth) for pi, p in enumerate(preds) if is_hit(p, t)]
    pairs.sort(key=lambda x: (-x[0], truth[x[1]].onset, x[1], preds[x[2]].onset, x[2]))
    used_t: set[int] = set()
    used_p: set[int] = set()
    out: list[Outcome] = []
    for value, ti, pi in pairs:
        if ti in used_t or pi in used_p:
            continue
        used_t.add(ti)
        used_p.add(pi)
        out.append(Outcome(video, "TP", preds[pi], truth[ti], value))
    out += [Outcome(video, "FP", p, None, 0.0) for pi, p in enumerate(preds) if pi not in used_p]
    out += [Outcome(video, "FN", None, t, 0.0) for ti, t in enumerate(truth) if ti not in used_t]
    return sorted(out, key=_position)


def _position(o: Outcome) -> tuple[int, int]:
    item = o.truth or o.pred
    assert item is not None
    return (item.onset, 0 if o.truth is not None else 1)


def _by_video(intervals: Iterable[Interval]) -> dict[str, list[Interval]]:
    grouped: dict[str, list[Interval]] = defaultdict(list)
    for i in intervals:
        grouped[i.video].append(i)
    return grouped


def match_all(truth: Sequence[Interval], preds: Sequence[Interval]) -> list[Outcome]:
    """Every video's outcomes, videos in sorted order (a video only one side names counts too)."""
    t, p = _by_video(truth), _by_video(preds)
    return [o for video in sorted(set(t) | set(p)) for o in match_video(video, t[video], p[video])]


def evaluate_spotting(truth: Sequence[Interval], preds: Sequence[Interval]) -> SpotReport:
    """Pooled MEGC counts overall, per type (micro, macro — present ones) and per video."""
    outcomes = match_all(truth, preds)
    kinds = [k for k in TYPES if any(i.type == k for i in (*truth, *preds))]
    by_type = {
        k: _counts(match_all([i for i in truth if i.type == k], [i for i in preds if i.type == k]))
        for k in kinds
    }
    per_video: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        per_video[o.video].append(o)
    return SpotReport(
        overall=_counts(outcomes),
        by_type=by_type,
        outcomes=tuple(outcomes),
        by_video={v: _counts(os) for v, os in per_video.items()},
    )


def strs(spotting_f1: float, recognition_f1: float) -> float:
    """Spot-then-recognise score: spotting F1 × recognition F1 on the spotted true positives."""
    return spotting_f1 * recognition_f1
