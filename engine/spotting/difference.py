"""The MEGC baseline family as a spotter: feature-difference curves, peaks, thresholds from training."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from engine.spotting.config import SpotConfig
from engine.spotting.curves import difference_curve, frames_for, spot_peaks
from engine.spotting.intervals import Interval
from engine.spotting.metrics import evaluate_spotting
from engine.spotting.registry import register_spotter
from engine.spotting.signals import VideoSignals


@register_spotter("fd")
class FeatureDifferenceSpotter:
    """Feature difference (MDMD/LTP-style): region curves, peaks above mean + p·(max − mean).

    Per type, the half-window k (seconds) and p are chosen by grid search for the best F1 of that type
    on the training videos. A type whose best training F1 is 0 is not predicted. A micro interval whose
    apex lies inside a predicted macro interval is dropped (the macro already explains that movement).
    """

    def __init__(self, config: SpotConfig) -> None:
        self.config = config

    def _grid(self, kind: str) -> tuple[float, ...]:
        return self.config.micro_half_s if kind == "micro" else self.config.macro_half_s

    def fit(self, videos: Sequence[VideoSignals]) -> dict[str, Any]:
        chosen: dict[str, Any] = {}
        for kind in ("micro", "macro"):
            truth = [t for v in videos for t in v.truth if t.type == kind]
            best: tuple[float, float | None, float | None] = (0.0, None, None)
            for half_s in self._grid(kind):
                curves = [(v, difference_curve(v.features, frames_for(half_s, v.fps))) for v in videos]
                for p in self.config.p_grid:
                    preds = [
                        i
                        for v, c in curves
                        for i in spot_peaks(c, v.numbers, v.video, v.fps, frames_for(half_s, v.fps), p)
                        if i.type == kind
                    ]
                    f1 = evaluate_spotting(truth, preds).overall.f1
                    if f1 > best[0]:
                        best = (f1, half_s, p)
            chosen[kind] = {"train_f1": best[0], "half_s": best[1], "p": best[2]}
        return chosen

    def _typed(self, fitted: dict[str, Any], video: VideoSignals, kind: str) -> list[Interval]:
        params = fitted.get(kind) or {}
        if params.get("p") is None:
            return []
        k = frames_for(params["half_s"], video.fps)
        curve = difference_curve(video.features, k)
        return [
            i
            for i in spot_peaks(curve, video.numbers, video.video, video.fps, k, params["p"])
            if i.type == kind
        ]

    def predict(self, fitted: dict[str, Any], video: VideoSignals) -> list[Interval]:
        macro = self._typed(fitted, video, "macro")
        micro = [
            m
            for m in self._typed(fitted, video, "micro")
            if not any(a.onset <= (m.apex if m.apex is not None else m.onset) <= a.offset for a in macro)
        ]
        return sorted(micro + macro, key=lambda i: (i.onset, i.offset))

    def curve(self, fitted: dict[str, Any], video: VideoSignals) -> np.ndarray:
        half_s = (fitted.get("micro") or {}).get("half_s") or self.config.micro_half_s[0]
        return difference_curve(video.features, frames_for(half_s, video.fps))
