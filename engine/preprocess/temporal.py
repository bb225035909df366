"""Fixed-length clips for stage 3: uniform frame sampling and temporal interpolation."""

from __future__ import annotations

import numpy as np

from engine.errors import GlimpseError


def sample_indices(n: int, length: int) -> np.ndarray:
    """``length`` indices spread uniformly over ``range(n)``, always including the first and the last."""
    if n < 1 or length < 1:
        raise GlimpseError(f"cannot sample {length} frames from a clip of {n}")
    if length == 1:
        return np.array([0], dtype=np.int64)
    return np.rint(np.linspace(0, n - 1, length)).astype(np.int64)


def resample(frames: np.ndarray, length: int, method: str = "linear") -> np.ndarray:
    """(T, H, W) → (length, H, W) over the same time span (first and last frames kept).

    ``nearest`` repeats/drops frames; ``linear`` blends the two neighbouring frames at each fractional
    position, a cheap stand-in for temporal interpolation models (TIM) on short ME clips.
    """
    frames = np.asarray(frames)
    if frames.ndim < 1 or frames.shape[0] < 1:
        raise GlimpseError("cannot resample an empty clip")
    n = frames.shape[0]
    if method == "nearest":
        return frames[sample_indices(n, length)]
    if method != "linear":
        raise GlimpseError(f"unknown resampling method {method!r}", hint="use 'nearest' or 'linear'")
    positions = np.linspace(0, n - 1, length) if length > 1 else np.zeros(1)
    lo = np.floor(positions).astype(np.int64)
    hi = np.minimum(lo + 1, n - 1)
    weight = (positions - lo).reshape((-1,) + (1,) * (frames.ndim - 1))
    out = frames[lo].astype(np.float64) * (1.0 - weight) + frames[hi].astype(np.float64) * weight
    if np.issubdtype(frames.dtype, np.integer):
        info = np.iinfo(frames.dtype)
        return np.clip(np.rint(out), info.min, info.max).astype(frames.dtype)
    return out.astype(frames.dtype)
