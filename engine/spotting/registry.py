"""Spotting methods by name: ``@register_spotter("fd")`` on a class, as ingest readers register.

A spotter is fitted on training videos only (that is where every threshold is chosen) and then
predicts intervals on videos it has not seen; ``curve`` is what the Spotting page plots.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from engine.registry import Registry
from engine.spotting.config import SpotConfig
from engine.spotting.intervals import Interval
from engine.spotting.signals import VideoSignals


class Spotter(Protocol):
    def __init__(self, config: SpotConfig) -> None: ...

    def fit(self, videos: Sequence[VideoSignals]) -> dict[str, Any]:
        """Choose parameters on these (training) videos; returns them as plain, picklable data."""

    def predict(self, fitted: dict[str, Any], video: VideoSignals) -> list[Interval]:
        """Typed intervals (recording frame numbers) of one unseen video."""

    def curve(self, fitted: dict[str, Any], video: VideoSignals) -> np.ndarray:
        """(T,) the per-frame score the method thresholds (for the timeline plot)."""


SPOTTERS: Registry[Callable[[SpotConfig], Spotter]] = Registry("spotting method")


def register_spotter(name: str) -> Callable[[type], type]:
    def decorate(cls: type) -> type:
        SPOTTERS.add(name, cls)
        return cls

    return decorate


def describe(name: str) -> str:
    """The first line of the method's docstring (what the CLI and the page list beside its name)."""
    doc = getattr(SPOTTERS.get_or_fail(name), "__doc__", None) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def get_spotter(config: SpotConfig) -> Spotter:
    return SPOTTERS.get_or_fail(config.method)(config)
