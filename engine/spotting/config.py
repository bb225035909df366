"""The spotting run's configuration: which method, and the candidate parameters it may choose among.

Every candidate list is searched on the training subjects of each LOSO fold only; defaults run on a
laptop CPU in seconds for the synthetic long videos.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from engine.errors import GlimpseError
from engine.spotting.signals import SignalConfig


@dataclass(frozen=True)
class SpotConfig:
    method: str = "fd"
    # threshold = mean + p·(max − mean) of a video's curve (feature-difference spotter)
    p_grid: tuple[float, ...] = (0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
    # half-windows k, in seconds: micro ones keep 2k+1 frames within 0.5 s, macro ones longer
    micro_half_s: tuple[float, ...] = (0.1, 0.15, 0.2)
    macro_half_s: tuple[float, ...] = (0.4, 0.6, 0.9)
    # learned spotter: the scales of its difference features, its probability thresholds
    feature_half_s: tuple[float, ...] = (0.05, 0.1, 0.2, 0.4, 0.8)
    prob_grid: tuple[float, ...] = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
    merge_gap_s: float = 0.15  # dips below the threshold this short stay inside one interval
    max_negatives: int = 20000  # training frames outside any interval, sampled (seeded)
    seed: int = 0
    signal: SignalConfig = field(default_factory=SignalConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SpotConfig:
        """From JSON (job params, a run's config); an unknown key is an error, never a silent default."""
        data = dict(data)
        signal = data.pop("signal", None) or {}
        fields = {f.name for f in dataclasses.fields(cls)}
        signal_fields = {f.name for f in dataclasses.fields(SignalConfig)}
        unknown = sorted(set(data) - fields) + sorted(f"signal.{k}" for k in set(signal) - signal_fields)
        if unknown:
            raise GlimpseError(
                f"unknown spotting parameter(s): {', '.join(unknown)}",
                hint=f"known: {', '.join(sorted(fields))}",
            )
        tuples: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return cls(signal=SignalConfig(**signal), **tuples)
