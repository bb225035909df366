"""Spotting scored as the MEGC2020 organisers' own evaluator scores it, and a strict alternative.

The reference is the organisers' baseline (HeyingGithub/Baseline-project-for-MEGC2020_spotting,
``MDMD_results/result_helper.py``: ``calc_iou`` and ``pred_clips_analysis``); docs/EVALUATION.md gives
the rule and the official figures Glimpse reproduces.

Hit: a prediction hits a truth of the same video when IoU ≥ 0.5, IoU counting frames with inclusive
onset..offset, compared exactly in integers (2·|P ∩ T| ≥ |P ∪ T|). As ``calc_iou`` does, an interval whose
offset is not after its onset (one frame long) has IoU 0 with everything: it never hits nor is hit.

``megc2020`` (the default, and every spotting run's figures), per type (micro with micro, macro with
macro, untyped with untyped) and pooled over videos:
TP = truths that at least one prediction hits ("truths found"), FP = predictions − TP (so one prediction
that finds two truths makes FP one smaller, exactly as the official precision = found / predictions),
FN = truths − TP. The overall figure adds the per-type counts; a micro prediction never claims a macro
truth.

``one_to_one`` (strict one-to-one — NOT the MEGC figure): per video and type, the hit pairs are taken
greedily in descending IoU (ties: earlier truth, then earlier prediction) and a pair is kept when neither
side is matched yet; unmatched predictions are FP, unmatched truths FN.

Both find hit pairs by sort + sweep: predictions sorted by onset, and for a truth of length L only those
with onset in [onset − L, onset + L/2] can reach IoU ½ (a prediction starting earlier is longer than the
overlap allows, one starting later overlaps less than half of the truth), found by binary search. That is
O(n log n + k) per video for k candidate pairs, k = O(n) for a spotter's non-piled-up output.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from engine.errors import GlimpseError
from engine.spotting.intervals import TYPES, Interval

IOU_THRESHOLD = (1, 2)  # as a fraction, so comparisons are exact
MATCHINGS = {
    "megc2020": "MEGC2020 rule (truths found; the official figure)",
    "one_to_one": "strict one-to-one — not the MEGC figure",
}
DEFAULT_MATCHING = "megc2020"


def overlap(a: Interval, b: Interval) -> int:
    return max(0, min(a.offset, b.offset) - max(a.onset, b.onset) + 1)


def iou(a: Interval, b: Interval) -> float:
    inter = overlap(a, b)
    return inter / (a.length + b.length - inter)


def is_hit(pred: Interval, truth: Interval, one_frame_hits: bool = False) -> bool:
    """IoU ≥ 0.5 in integer arithmetic; a one-frame interval never hits unless ``one_frame_hits``
    (the official ``calc_iou`` returns 0 when offset ≤ onset; STRS-Metric's IoU does not)."""
    if not one_frame_hits and (pred.length < 2 or truth.length < 2):
        return False
    inter = overlap(pred, truth)
    num, den = IOU_THRESHOLD
    return inter > 0 and den * inter >= num * (pred.length + truth.length - inter)


def _frames(intervals: Sequence[Interval]) -> tuple[np.ndarray, np.ndarray]:
    frames = np.array([(i.onset, i.offset) for i in intervals], np.int64).reshape(-1, 2)
    return frames[:, 0], frames[:, 1]


def hit_array(
    truth: Sequence[Interval], preds: Sequence[Interval], one_frame_hits: bool = False
) -> np.ndarray:
    """(k, 2) int64: every (truth index, prediction index) hit of one video, sorted by truth index then
    prediction index; found by sort + sweep (module docstring), vectorised."""
    if not truth or not preds:
        return np.empty((0, 2), np.int64)
    t_on, t_off = _frames(truth)
    p_on, p_off = _frames(preds)
    t_len, p_len = t_off - t_on + 1, p_off - p_on + 1
    order = np.argsort(p_on, kind="stable")
    lo = np.searchsorted(p_on[order], t_on - t_len, "left")
    hi = np.searchsorted(p_on[order], t_on + t_len // 2 + 1, "right")
    counts = hi - lo
    ti = np.repeat(np.arange(len(truth)), counts)
    within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    pi = order[np.repeat(lo, counts) + within]
    inter = np.minimum(t_off[ti], p_off[pi]) - np.maximum(t_on[ti], p_on[pi]) + 1
    num, den = IOU_THRESHOLD
    hit = (inter > 0) & (den * inter >= num * (t_len[ti] + p_len[pi] - inter))
    if not one_frame_hits:
        hit &= (t_len[ti] > 1) & (p_len[pi] > 1)
    ti, pi = ti[hit], pi[hit]
    keep = np.lexsort((pi, ti))
    return np.stack([ti[keep], pi[keep]], axis=1)


def hit_pairs(
    truth: Sequence[Interval], preds: Sequence[Interval], one_frame_hits: bool = False
) -> list[tuple[int, int]]:
    """``hit_array`` as a list of (truth index, prediction index) tuples."""
    return [(t, p) for t, p in hit_array(truth, preds, one_frame_hits).tolist()]


@dataclass(frozen=True)
class Outcome:
    """One line of the MEGC log: a TP (truth and prediction), an FP prediction or an FN truth."""

    video: str
    result: str  # TP | FP | FN
    pred: Interval | None
    truth: Interval | None
    iou: float
    subject: str = ""


@dataclass(frozen=True)
class Counts:
    """Pooled counts. Under ``megc2020`` ``fp`` is predictions − truths found, so ``tp + fp`` is always
    the number of predictions (one video's fp may be negative when a prediction finds two truths)."""

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


def one_to_one_pairs(
    truth: Sequence[Interval], preds: Sequence[Interval], one_frame_hits: bool = False
) -> list[tuple[int, int]]:
    """(truth index, prediction index) pairs of one video, taken greedily in descending IoU (ties:
    earlier truth, then earlier prediction) while neither side is matched yet."""
    hits = hit_array(truth, preds, one_frame_hits)
    if not len(hits):
        return []
    ti, pi = hits[:, 0], hits[:, 1]
    t_on, t_off = _frames(truth)
    p_on, p_off = _frames(preds)
    inter = np.minimum(t_off[ti], p_off[pi]) - np.maximum(t_on[ti], p_on[pi]) + 1
    value = inter / ((t_off - t_on + 1)[ti] + (p_off - p_on + 1)[pi] - inter)
    order = np.lexsort((pi, p_on[pi], ti, t_on[ti], -value))
    used_t: set[int] = set()
    used_p: set[int] = set()
    out: list[tuple[int, int]] = []
    for t, p in zip(ti[order].tolist(), pi[order].tolist(), strict=True):
        if t not in used_t and p not in used_p:
            used_t.add(t)
            used_p.add(p)
            out.append((t, p))
    return out


@dataclass(frozen=True)
class VideoMatch:
    """One video's intervals of one type and their matching: what the counts and the log come from."""

    video: str
    truth: Sequence[Interval]
    preds: Sequence[Interval]
    pairs: tuple[
        tuple[int, int], ...
    ]  # (truth, prediction) indices; megc2020: every hit, one_to_one: matched
    matching: str

    @property
    def counts(self) -> Counts:
        found = len({t for t, _ in self.pairs})  # one_to_one: each truth once, so found = pairs
        return Counts(found, len(self.preds) - found, len(self.truth) - found)

    def outcomes(self) -> list[Outcome]:
        """The log's lines of this video and type (unsorted: ``evaluate_spotting`` sorts a video's)."""
        return (_megc_lines if self.matching == "megc2020" else _one_to_one_lines)(self)


def _megc_lines(m: VideoMatch) -> list[Outcome]:
    """As the organisers' log generator (``gen_MEGC2020_log_file.py``: ``prd_pair`` / ``label_pair``)
    makes them: a line per prediction (TP with its first truth, else FP), then per truth an FN, or a
    TP with its first prediction unless that very pair already has a line."""
    first_pred: dict[int, int] = {}
    first_truth: dict[int, int] = {}
    for ti, pi in m.pairs:
        first_pred.setdefault(ti, pi)
        first_truth[pi] = min(first_truth.get(pi, ti), ti)
    lines: list[Outcome] = []
    seen: set[tuple[int, int, int, int]] = set()
    for pi, p in enumerate(m.preds):
        if pi in first_truth:
            t = m.truth[first_truth[pi]]
            lines.append(Outcome(m.video, "TP", p, t, iou(p, t), p.subject))
            seen.add((t.onset, t.offset, p.onset, p.offset))
        else:
            lines.append(Outcome(m.video, "FP", p, None, 0.0, p.subject))
    for ti, t in enumerate(m.truth):
        if ti not in first_pred:
            lines.append(Outcome(m.video, "FN", None, t, 0.0, t.subject))
            continue
        p = m.preds[first_pred[ti]]
        if (t.onset, t.offset, p.onset, p.offset) not in seen:
            lines.append(Outcome(m.video, "TP", p, t, iou(p, t), t.subject))
    return lines


def _one_to_one_lines(m: VideoMatch) -> list[Outcome]:
    pairs = m.pairs
    out = [
        Outcome(m.video, "TP", m.preds[p], m.truth[t], iou(m.preds[p], m.truth[t]), m.truth[t].subject)
        for t, p in pairs
    ]
    used_t, used_p = {t for t, _ in pairs}, {p for _, p in pairs}
    out += [
        Outcome(m.video, "FP", p, None, 0.0, p.subject) for pi, p in enumerate(m.preds) if pi not in used_p
    ]
    out += [
        Outcome(m.video, "FN", None, t, 0.0, t.subject) for ti, t in enumerate(m.truth) if ti not in used_t
    ]
    return out


_MATCHERS = {"megc2020": hit_pairs, "one_to_one": one_to_one_pairs}


def log_position(o: Outcome) -> int:
    """The organisers' log order: a TP or FP line by its prediction's onset, an FN line by its truth's."""
    item = o.pred if o.result in ("TP", "FP") else o.truth
    assert item is not None
    return item.onset


Key = tuple[str, str]


def video_key(i: Interval) -> Key:
    """A video is named by subject + video when a subject is given (as STRS-Metric keys them)."""
    return (i.subject, i.video)


def group_by_video(intervals: Iterable[Interval]) -> dict[Key, list[Interval]]:
    grouped: dict[tuple[str, str], list[Interval]] = defaultdict(list)
    for i in intervals:
        grouped[video_key(i)].append(i)
    return grouped


def video_order(truth_videos: list[Key], pred_videos: list[Key]) -> list[Key]:
    """The dataset's video order as far as the two files tell it, for the log: the truth's order of
    first appearance, each video only the predictions name placed right after the video it follows in
    the predictions (first if none). The organisers' generator walks the dataset's own list; when both
    files list videos in that order this gives the same order (it did on their shipped data)."""
    order = list(truth_videos)
    known = set(order)
    previous: Key | None = None
    for video in pred_videos:
        if video not in known:
            order.insert(order.index(previous) + 1 if previous is not None else 0, video)
            known.add(video)
        previous = video
    return order


def _kinds(truth: Sequence[Interval], preds: Sequence[Interval]) -> list[str]:
    present = {i.type for i in (*truth, *preds)}
    return [k for k in (*TYPES, "") if k in present]


@dataclass(frozen=True)
class SpotReport:
    overall: Counts
    by_type: dict[str, Counts]
    matches: tuple[tuple[VideoMatch, ...], ...] = field(repr=False)  # per video (log order), per type
    by_video: dict[str, Counts] = field(repr=False, default_factory=dict)
    matching: str = DEFAULT_MATCHING

    @cached_property
    def outcomes(self) -> tuple[Outcome, ...]:
        """The MEGC log's lines, video by video: each type's lines in turn, then a stable sort by
        ``log_position`` (made on first use: counting needs none of them)."""
        lines: list[Outcome] = []
        for video in self.matches:
            lines += sorted((o for m in video for o in m.outcomes()), key=log_position)
        return tuple(lines)

    def to_dict(self) -> dict:
        """``tp, fp, fn, precision, recall, f1`` overall, the same per type under ``by_type``, and the
        matching rule (``matching`` and its label ``matching_rule``)."""
        return {
            **self.overall.to_dict(),
            "by_type": {t: c.to_dict() for t, c in self.by_type.items()},
            "matching": self.matching,
            "matching_rule": MATCHINGS[self.matching],
        }

    def as_rows(self, scope: str = "overall") -> list[tuple[str, str, float]]:
        """(scope, name, value) rows for the catalog's Metric table (per type: ``type:<t>``)."""
        rows = [(scope, k, float(v)) for k, v in self.overall.to_dict().items()]
        for kind, counts in self.by_type.items():
            rows += [(f"type:{kind}", k, float(v)) for k, v in counts.to_dict().items()]
        for video, counts in self.by_video.items():
            rows += [(f"video:{video}", k, float(v)) for k, v in counts.to_dict().items()]
        return rows


def _video_name(key: tuple[str, str]) -> str:
    subject, video = key
    return f"{subject}/{video}" if subject else video


def evaluate_spotting(
    truth: Sequence[Interval], preds: Sequence[Interval], matching: str = DEFAULT_MATCHING
) -> SpotReport:
    """Pooled counts per type and overall (the per-type counts added), per video, and the log's lines.

    Videos come in ``video_order``; within a
    video the lines follow the organisers' log: each type's lines in turn, then a stable sort by
    ``log_position``."""
    if matching not in _MATCHERS:
        raise GlimpseError(f"unknown matching {matching!r}", hint=f"one of {', '.join(MATCHINGS)}")
    match = _MATCHERS[matching]
    t_by, p_by = group_by_video(truth), group_by_video(preds)
    kinds = _kinds(truth, preds)
    per_kind = {k: Counts() for k in kinds}
    by_video: dict[str, Counts] = {}
    matches: list[tuple[VideoMatch, ...]] = []
    for key in video_order(list(t_by), list(p_by)):
        video: list[VideoMatch] = []
        for kind in kinds:
            ts = [i for i in t_by.get(key, []) if i.type == kind]
            ps = [i for i in p_by.get(key, []) if i.type == kind]
            video.append(VideoMatch(key[1], ts, ps, tuple(match(ts, ps)), matching))
            per_kind[kind] += video[-1].counts
        by_video[_video_name(key)] = sum((m.counts for m in video), Counts())
        matches.append(tuple(video))
    by_type = {k: c for k, c in per_kind.items() if k}  # untyped intervals count overall only
    return SpotReport(sum(per_kind.values(), Counts()), by_type, tuple(matches), by_video, matching)
