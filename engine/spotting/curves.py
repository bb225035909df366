"""Feature-difference curves and peak spotting: the MEGC baseline family (Moilanen et al.; MDMD, LTP).

For a half-window ``k``, frame i's difference in one region is how far its features are from the mean
of frames i−k and i+k (an expression peaking near i lifts i above both; a slow head drift moves all
three together). Per region, blocks' absolute differences are averaged over the largest third (where
the movement is), the curve is *contrasted* (minus the mean of its own values at i±k, clipped at 0) so
isolated peaks stand out, and the regions' curves are scaled by their own median level in the video and
combined by their maximum (an ME is often upper- or lower-face only). Peaks above
``mean + p·(max − mean)`` (``scipy.signal.find_peaks``, at least k apart) become intervals [peak−k,
peak+k].
"""

from __future__ import annotations

import numpy as np
from scipy.signal import find_peaks

from engine.spotting.intervals import Interval, spanning


def _shifted(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """x[i−k] and x[i+k], clamped at the ends."""
    n = len(x)
    idx = np.arange(n)
    return x[np.clip(idx - k, 0, n - 1)], x[np.clip(idx + k, 0, n - 1)]


def region_differences(features: np.ndarray, k: int) -> np.ndarray:
    """(T, R): per region, the mean of the largest third of |F_i − (F_{i−k} + F_{i+k}) / 2| over blocks."""
    before, after = _shifted(features, k)
    diff = np.abs(features - 0.5 * (before + after))  # (T, R, D)
    top = max(1, diff.shape[-1] // 3)
    return np.sort(diff, axis=-1)[..., -top:].mean(-1)


def contrast(curve: np.ndarray, k: int) -> np.ndarray:
    before, after = _shifted(curve, k)
    return np.maximum(curve - 0.5 * (before + after), 0.0)


def difference_curve(features: np.ndarray, k: int) -> np.ndarray:
    """(T,) the combined, contrasted feature-difference curve of one video at half-window ``k`` frames."""
    per_region = contrast(region_differences(features, k), k)  # (T, R)
    scale = np.median(region_differences(features, k), axis=0) + 1e-6
    return (per_region / scale).max(axis=1).astype(np.float32)


def threshold(curve: np.ndarray, p: float) -> float:
    """The MEGC baselines' per-video threshold: mean + p·(max − mean)."""
    mean = float(curve.mean()) if len(curve) else 0.0
    return mean + p * ((float(curve.max()) if len(curve) else 0.0) - mean)


def spot_peaks(
    curve: np.ndarray, numbers: np.ndarray, video: str, fps: float, k: int, p: float
) -> list[Interval]:
    """Intervals [peak−k, peak+k] (recording frame numbers) around peaks above the threshold, typed by
    duration; the score is the peak's height."""
    if len(curve) < 3:
        return []
    peaks, props = find_peaks(curve, height=threshold(curve, p), distance=max(1, k))
    n = len(numbers)
    return [
        spanning(video, numbers, max(0, peak - k), min(n - 1, peak + k), peak, height, fps)
        for peak, height in zip(peaks, props["peak_heights"], strict=True)
    ]


def frames_for(seconds: float, fps: float) -> int:
    """A duration in seconds as a whole number of frames (≥ 1) at this fps."""
    return max(1, int(round(seconds * fps)))
