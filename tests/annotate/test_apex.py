"""Apex suggestion finds the peak of a drawn excursion, even with drift and a noisy frame."""

from __future__ import annotations

import numpy as np
import pytest

from engine.annotate.apex import difference_curve, suggest_from_features, suggest_from_frames
from engine.errors import GlimpseError


def _clip(apex_index: int = 12, n: int = 25, drift: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(0)
    frames = np.full((n, 32, 32), 100.0)
    for t in range(n):
        frames[t, 20:24, 8:24] += 40 * np.exp(-((t - apex_index) ** 2) / 8.0)  # the 'mouth' moves
        frames[t] += drift * t  # slow global brightness drift
    return frames + rng.normal(0, 1.0, frames.shape)


def test_difference_curve_peaks_at_apex() -> None:
    curve = difference_curve(_clip())
    assert int(np.argmax(curve)) == 12
    assert curve[0] == pytest.approx(0.0)


def test_suggest_between_onset_and_offset_with_drift() -> None:
    numbers = list(range(200, 225))
    frames = _clip(apex_index=9, drift=0.6)
    # plain 'vs onset' is pulled to the end by drift; the onset→offset blend is not
    assert int(np.argmax(difference_curve(frames[3:20], "onset"))) + 3 != 9
    suggestion = suggest_from_frames(frames, numbers, onset=203, offset=219)
    assert suggestion.apex == 209
    assert suggestion.frame_numbers[0] == 203 and suggestion.frame_numbers[-1] == 219
    assert len(suggestion.curve) == 17


def test_suggest_from_features() -> None:
    t = np.arange(10)[:, None]
    features = np.exp(-((t - 6) ** 2) / 2.0) * np.ones((1, 4))
    assert suggest_from_features(features, list(range(50, 60))).apex == 56


def test_too_short_is_a_user_error() -> None:
    with pytest.raises(GlimpseError):
        difference_curve(np.zeros((1, 4, 4)))
