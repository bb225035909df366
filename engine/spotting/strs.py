"""Spot-then-recognise scored as STRS-Metric defines it (MEGC 2024/2025), and its code's own behaviour.

Reference: genbing99/STRS-Metric, ``strs_metric.py`` (``Evaluator.evaluate_STRS``). Its rule:
STRS = spotting F1 × analysis F1. Spotting: a prediction is a TP when IoU ≥ 0.5 with a truth of the same
video (subject + video when a subject is given; frames counted inclusively, a one-frame interval
included, as its ``np.arange`` IoU does), one prediction per truth and one truth per prediction.
Analysis, on the spotted TP pairs whose truth emotion is analysed (by default every emotion the truth
names): per emotion one-vs-rest precision and recall over those pairs; analysis F1 is the harmonic mean
of the macro-precision and the macro-recall (not the mean of per-emotion F1s). Beside it Glimpse reports
UF1 (the mean per-emotion F1) and UAR (the mean per-emotion recall), the recognition figures the field
quotes, under those names so they are never mistaken for the analysis F1.

``rule`` (default) is that rule. Pairs are made by Glimpse's strict matching (descending IoU,
``metrics.one_to_one_pairs``); every video and subject of either file counts.

``strs_metric_code`` (compatibility: what its code computes; docs/EVALUATION.md shows each difference on
a minimal case): (1) a prediction claims every not-yet-claimed truth it hits, in file order, so one wide
prediction can be two TPs; (2) only subjects that have predictions are scored, so another subject's
truths are no misses; (3) only videos that have a truth are scored, so predictions elsewhere are no false
positives; (4) an emotion whose one-vs-rest labels over the pairs hold a single class (e.g. every pair
correctly that emotion) scores 0 (``confusion_matrix(...).ravel()`` fails and its ``except`` sets zeros);
(5) its "UAR" is the mean precision, reported as ``strs_metric_uar``. A zero analysis F1 is 0 here where
its code divides 0 by 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engine.errors import GlimpseError
from engine.spotting.intervals import Interval
from engine.spotting.metrics import Counts, Key, group_by_video, hit_pairs, one_to_one_pairs

STRS_MODES = {
    "rule": "STRS as STRS-Metric states it",
    "strs_metric_code": "compatibility mode: STRS-Metric's code, its departures from its rule included",
}
DEFAULT_STRS_MODE = "rule"


@dataclass(frozen=True)
class EmotionScore:
    """One emotion, one-vs-rest over the analysed pairs (``Counts`` gives its precision, recall, F1)."""

    emotion: str
    counts: Counts


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


@dataclass(frozen=True)
class StrReport:
    """Spotting counts, the analysed TP pairs (prediction, truth) and the per-emotion scores."""

    mode: str
    spotting: Counts
    pairs: tuple[tuple[Interval, Interval], ...]
    per_emotion: tuple[EmotionScore, ...]

    @property
    def macro_precision(self) -> float:
        return _mean([e.counts.precision for e in self.per_emotion])

    @property
    def macro_recall(self) -> float:
        return _mean([e.counts.recall for e in self.per_emotion])

    @property
    def analysis_f1(self) -> float:
        """STRS-Metric's analysis F1: the harmonic mean of macro-precision and macro-recall."""
        p, r = self.macro_precision, self.macro_recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def uf1(self) -> float:
        return _mean([e.counts.f1 for e in self.per_emotion])

    @property
    def uar(self) -> float:
        return self.macro_recall

    @property
    def strs(self) -> float:
        return self.spotting.f1 * self.analysis_f1

    def summary(self) -> dict[str, float]:
        """The figures as flat numbers (the catalog's metric rows), each under an unambiguous name."""
        out = {
            "strs": self.strs,
            "spotting_tp": float(self.spotting.tp),
            "spotting_fp": float(self.spotting.fp),
            "spotting_fn": float(self.spotting.fn),
            "spotting_f1": self.spotting.f1,
            "analysis_macro_precision": self.macro_precision,
            "analysis_macro_recall": self.macro_recall,
            "analysis_f1": self.analysis_f1,
            "uf1": self.uf1,
            "uar": self.uar,
            "n_analysed": float(len(self.pairs)),
        }
        if self.mode == "strs_metric_code":
            out["strs_metric_uar"] = self.macro_precision  # what its code prints as "UAR analysis"
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "mode_label": STRS_MODES[self.mode],
            **self.summary(),
            "per_emotion": {e.emotion: e.counts.to_dict() for e in self.per_emotion},
        }


def _one_to_one(truth: Sequence[Interval], preds: Sequence[Interval]) -> list[tuple[int, int]]:
    return one_to_one_pairs(truth, preds, one_frame_hits=True)


def _claim_in_file_order(truth: Sequence[Interval], preds: Sequence[Interval]) -> list[tuple[int, int]]:
    """STRS-Metric's loop: each prediction claims every unclaimed truth it hits (no ``break``)."""
    hits: dict[int, list[int]] = {}
    for ti, pi in hit_pairs(truth, preds, one_frame_hits=True):
        hits.setdefault(pi, []).append(ti)
    claimed: set[int] = set()
    out: list[tuple[int, int]] = []
    for pi in range(len(preds)):
        for ti in hits.get(pi, []):
            if ti not in claimed:
                claimed.add(ti)
                out.append((ti, pi))
    return out


def _videos(truth: dict[Key, list[Interval]], preds: dict[Key, list[Interval]], mode: str) -> list[Key]:
    if mode == "rule":
        return list(dict.fromkeys([*truth, *preds]))
    subjects = {subject for subject, _ in preds}
    return [key for key in truth if key[0] in subjects]


def spot_pairs(
    truth: Sequence[Interval], preds: Sequence[Interval], mode: str = DEFAULT_STRS_MODE
) -> tuple[Counts, list[tuple[Interval, Interval]]]:
    """STR's spotting counts and its TP pairs (prediction, truth), video by video."""
    if mode not in STRS_MODES:
        raise GlimpseError(f"unknown STRS mode {mode!r}", hint=f"one of {', '.join(STRS_MODES)}")
    t_by, p_by = group_by_video(truth), group_by_video(preds)
    match = _one_to_one if mode == "rule" else _claim_in_file_order
    counts = Counts()
    pairs: list[tuple[Interval, Interval]] = []
    for key in _videos(t_by, p_by, mode):
        ts, ps = t_by.get(key, []), p_by.get(key, [])
        matched = sorted(match(ts, ps))
        tp_preds = len({pi for _, pi in matched})  # a prediction claiming two truths is one non-FP
        counts += Counts(len(matched), len(ps) - tp_preds, len(ts) - len(matched))
        pairs += [(ps[pi], ts[ti]) for ti, pi in matched]
    return counts, pairs


def _emotion_score(emotion: str, pairs: Sequence[tuple[Interval, Interval]], mode: str) -> EmotionScore:
    gt = [t.label == emotion for _, t in pairs]
    pred = [p.label == emotion for p, _ in pairs]
    if mode == "strs_metric_code" and len(set(gt) | set(pred)) < 2:
        return EmotionScore(emotion, Counts())  # its confusion_matrix(...).ravel() is 1×1 → except → 0
    return EmotionScore(
        emotion,
        Counts(
            sum(g and p for g, p in zip(gt, pred, strict=True)),
            sum(p and not g for g, p in zip(gt, pred, strict=True)),
            sum(g and not p for g, p in zip(gt, pred, strict=True)),
        ),
    )


def score_str(
    truth: Sequence[Interval],
    preds: Sequence[Interval],
    mode: str = DEFAULT_STRS_MODE,
    emotions: Sequence[str] | None = None,
) -> StrReport:
    """STRS and the recognition figures; ``emotions`` defaults to every emotion the truth names."""
    analysed = sorted(set(emotions) if emotions is not None else {t.label for t in truth if t.label})
    if not analysed:
        raise GlimpseError("no emotion to analyse: the truth's emotion column is empty")
    counts, pairs = spot_pairs(truth, preds, mode)
    kept = [(p, t) for p, t in pairs if t.label in analysed]
    per_emotion = tuple(_emotion_score(e, kept, mode) for e in analysed)
    return StrReport(mode, counts, tuple(kept), per_emotion)
