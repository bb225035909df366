"""Time courses: the ME onset->apex->offset curve, macro ramps, blinks, head drift and flicker.

All return arrays over frame indices so a whole clip's motion is decided before any frame is drawn.
"""

from __future__ import annotations

import numpy as np


def me_curve(n_frames: int, onset: int, apex: int, offset: int) -> np.ndarray:
    """Intensity in [0, 1]: 0 up to ``onset``, smooth rise to 1 at ``apex``, back to 0 at ``offset``."""
    t = np.arange(n_frames, dtype=float)
    curve = np.zeros(n_frames)
    rise = (t >= onset) & (t <= apex)
    fall = (t > apex) & (t < offset)
    curve[rise] = np.sin(0.5 * np.pi * (t[rise] - onset) / max(apex - onset, 1)) ** 2
    curve[fall] = np.cos(0.5 * np.pi * (t[fall] - apex) / max(offset - apex, 1)) ** 2
    curve[apex] = 1.0
    return curve


def macro_curve(n_frames: int, neutral_frames: int = 2) -> np.ndarray:
    """CK+ style: a few neutral frames, then an ease-in-out ramp to the peak at the last frame."""
    curve = np.zeros(n_frames)
    ramp = n_frames - neutral_frames
    if ramp > 0:
        s = np.arange(1, ramp + 1) / ramp
        curve[neutral_frames:] = 0.5 - 0.5 * np.cos(np.pi * s)
    return curve


def blink_curve(n_frames: int, start: int, length: int) -> np.ndarray:
    """AU45 closure in [0, 1]: fast close, slower open, like a real blink."""
    curve = np.zeros(n_frames)
    close = max(1, int(round(length * 0.35)))
    for k in range(length):
        i = start + k
        if 0 <= i < n_frames:
            curve[i] = (k + 1) / close if k < close else max(0.0, 1 - (k - close + 1) / (length - close + 1))
    return np.clip(curve, 0, 1)


def pose_track(
    n_frames: int, rng: np.random.Generator, drift_px: float, drift_deg: float, fps: float = 30.0
) -> np.ndarray:
    """Slow head drift: per-frame (dx, dy, angle_deg), a sub-hertz wander in real time (seconds)."""
    t = np.arange(n_frames) / fps
    out = np.zeros((n_frames, 3))
    for j, amp in enumerate((drift_px, drift_px, drift_deg)):
        freq = rng.uniform(0.3, 1.0)
        phase = rng.uniform(0, 2 * np.pi)
        out[:, j] = amp * (np.sin(2 * np.pi * freq * t + phase) - np.sin(phase))
    return out


def flicker_track(n_frames: int, rng: np.random.Generator, amplitude: float, fps: float) -> np.ndarray:
    """Multiplicative illumination gain per frame: mains-like ripple plus slow random wander."""
    t = np.arange(n_frames) / fps
    ripple = np.sin(2 * np.pi * rng.uniform(7, 13) * t + rng.uniform(0, 2 * np.pi))
    wander = np.cumsum(rng.normal(0, 1, n_frames))
    wander = wander / (np.abs(wander).max() + 1e-9)
    return 1.0 + amplitude * (0.6 * ripple + 0.4 * wander)
