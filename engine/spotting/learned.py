"""A learned spotter: per-frame "inside an expression" probabilities from feature differences.

Each frame is described by its region feature-difference levels at several scales (the same
differences the baseline thresholds, per region, raw and contrasted, scaled by the video's own median
level), and a class-balanced logistic regression (scikit-learn) says whether the frame lies inside a
micro-expression, a macro-expression, or neither. Runs of frames above a probability threshold become
intervals, typed by duration. The threshold per type is chosen on the training subjects only, on
out-of-fold probabilities (GroupKFold by subject inside the training set), so it is not tuned on frames
the model was fitted to. The features work on any per-frame representation ``(T, R, D)``: region blocks
or an encoder's per-frame features (R = 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from scipy.ndimage import uniform_filter1d
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from engine.spotting.config import SpotConfig
from engine.spotting.curves import contrast, frames_for, region_differences
from engine.spotting.intervals import Interval, spanning, type_by_duration
from engine.spotting.metrics import evaluate_spotting
from engine.spotting.registry import register_spotter
from engine.spotting.signals import VideoSignals

CLASSES = ("none", "micro", "macro")


def frame_descriptors(video: VideoSignals, half_s: Sequence[float]) -> np.ndarray:
    """(T, F): per scale and region, log of the difference level and of its contrast (video-scaled)."""
    cols = []
    for s in half_s:
        k = frames_for(s, video.fps)
        diff = region_differences(video.features, k)  # (T, R)
        scale = np.median(diff, axis=0) + 1e-6
        cols += [np.log1p(diff / scale), np.log1p(contrast(diff, k) / scale)]
    return np.concatenate(cols, axis=1).astype(np.float32)


def frame_labels(video: VideoSignals) -> np.ndarray:
    """(T,) 0 outside any truth, 1 inside a micro, 2 inside a macro interval (micro wins overlaps)."""
    y = np.zeros(video.n_frames, np.int64)
    for kind in ("macro", "micro"):
        for t in video.truth:
            if t.type == kind:
                y[(video.numbers >= t.onset) & (video.numbers <= t.offset)] = CLASSES.index(kind)
    return y


def runs_above(
    prob: np.ndarray, tau: float, numbers: np.ndarray, video: str, fps: float, gap: int = 0
) -> list[Interval]:
    """Maximal runs of frames with probability ≥ tau (≥ 2 frames) as intervals typed by duration; runs
    separated by at most ``gap`` frames below tau are one interval (a dip inside one expression)."""
    mask = prob >= tau
    if gap > 0:
        below = np.concatenate([[False], ~mask, [False]])
        edges = np.flatnonzero(below[1:] != below[:-1])
        for start, stop in zip(edges[::2], edges[1::2], strict=True):
            if stop - start <= gap and start > 0 and stop < len(mask):
                mask[start:stop] = True
    above = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(above[1:] != above[:-1])
    return [
        spanning(video, numbers, start, stop - 1, peak, prob[peak], fps)
        for start, stop in zip(edges[::2], edges[1::2], strict=True)
        if stop - start >= 2
        for peak in [start + int(np.argmax(prob[start:stop]))]
    ]


@register_spotter("logreg")
class LogisticSpotter:
    """Learned: logistic regression on multi-scale feature differences, thresholds from training folds."""

    def __init__(self, config: SpotConfig) -> None:
        self.config = config

    def _intervals(self, probs: np.ndarray, tau: float, video: VideoSignals, kind: str) -> list[Interval]:
        """Runs of one class's probability ≥ tau (short dips bridged) as intervals of that type — the
        same rule when thresholds are chosen on training subjects and when a video is spotted. A micro
        run is cut to ``micro_half_s[-1]`` either side of its most probable frame (the model smears an
        ME's edges into the stillness around it), so it stays an ME by duration."""
        gap = frames_for(self.config.merge_gap_s, video.fps)
        runs = runs_above(probs[:, CLASSES.index(kind)], tau, video.numbers, video.video, video.fps, gap)
        if kind == "micro":
            half = frames_for(self.config.micro_half_s[-1], video.fps)
            runs = [
                replace(i, onset=max(i.onset, i.apex - half), offset=min(i.offset, i.apex + half))
                if i.apex is not None
                else i
                for i in runs
            ]
            runs = [replace(i, type=type_by_duration(i.length, video.fps)) for i in runs]
        return [i for i in runs if i.type == kind]

    def _training_set(self, videos: Sequence[VideoSignals]) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(self.config.seed)
        xs, ys = [], []
        for v in videos:
            x, y = frame_descriptors(v, self.config.feature_half_s), frame_labels(v)
            xs.append(x)
            ys.append(y)
        x, y = np.concatenate(xs), np.concatenate(ys)
        negatives = np.flatnonzero(y == 0)
        if len(negatives) > self.config.max_negatives:
            drop = np.setdiff1d(negatives, rng.choice(negatives, self.config.max_negatives, replace=False))
            keep = np.setdiff1d(np.arange(len(y)), drop)
            x, y = x[keep], y[keep]
        return x, y

    def _model(self, videos: Sequence[VideoSignals]) -> Pipeline | None:
        x, y = self._training_set(videos)
        if len(np.unique(y)) < 2:
            return None
        model = make_pipeline(
            StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=300, C=1.0)
        )
        model.fit(x, y)
        return model

    def _probs(self, model: Pipeline | None, video: VideoSignals) -> np.ndarray:
        """(T, 3) smoothed class probabilities (zeros for classes the model never saw)."""
        out = np.zeros((video.n_frames, len(CLASSES)), np.float32)
        if model is None:
            return out
        p = model.predict_proba(frame_descriptors(video, self.config.feature_half_s))
        classes = model.classes_
        for j, c in enumerate(classes):
            out[:, int(c)] = p[:, j]
        width = max(1, frames_for(0.05, video.fps))
        return uniform_filter1d(out, size=width, axis=0, mode="nearest")

    def _predict_with(
        self, model: Pipeline | None, taus: dict[str, float | None], video: VideoSignals
    ) -> list[Interval]:
        probs = self._probs(model, video)
        out: list[Interval] = []
        for kind in ("micro", "macro"):
            tau = taus.get(kind)
            if tau is not None:
                out += self._intervals(probs, tau, video, kind)
        return sorted(out, key=lambda i: (i.onset, i.offset))

    def _choose_thresholds(self, videos: Sequence[VideoSignals]) -> dict[str, Any]:
        subjects = sorted({v.subject for v in videos})
        probs: dict[str, np.ndarray] = {}
        if len(subjects) >= 2:
            groups = [subjects.index(v.subject) for v in videos]
            for train, test in GroupKFold(n_splits=min(3, len(subjects))).split(videos, groups=groups):
                model = self._model([videos[i] for i in train])
                for i in test:
                    probs[videos[i].video] = self._probs(model, videos[i])
        else:  # one training subject: no held-out frames to choose on, so in-sample
            model = self._model(videos)
            probs = {v.video: self._probs(model, v) for v in videos}
        chosen: dict[str, Any] = {}
        for kind in ("micro", "macro"):
            truth = [t for v in videos for t in v.truth if t.type == kind]
            best: tuple[float, float | None] = (0.0, None)
            for tau in self.config.prob_grid:
                preds = [i for v in videos for i in self._intervals(probs[v.video], tau, v, kind)]
                f1 = evaluate_spotting(truth, preds).overall.f1
                if f1 > best[0]:
                    best = (f1, tau)
            chosen[kind] = {"train_f1": best[0], "tau": best[1]}
        return chosen

    def fit(self, videos: Sequence[VideoSignals]) -> dict[str, Any]:
        thresholds = self._choose_thresholds(videos)
        return {**thresholds, "model": self._model(videos)}

    def predict(self, fitted: dict[str, Any], video: VideoSignals) -> list[Interval]:
        taus = {k: (fitted.get(k) or {}).get("tau") for k in ("micro", "macro")}
        return self._predict_with(fitted["model"], taus, video)

    def curve(self, fitted: dict[str, Any], video: VideoSignals) -> np.ndarray:
        probs = self._probs(fitted["model"], video)
        return probs[:, 1:].max(axis=1)
