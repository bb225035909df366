"""Tiny long videos made in memory: a textured face-sized frame with expressions as local bumps.

Not the synthetic corpus (that is engine.synth's); just enough structure for spotter tests to know
exactly where each expression is: a raised-cosine intensity bump over a region, onset → apex → offset.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter

from engine.spotting.intervals import Interval
from engine.spotting.signals import SignalConfig, VideoSignals, features_of_frames

SIDE = 64
CENTRES = {"eyes_brows": (0.3, 0.5), "nose": (0.52, 0.5), "mouth": (0.8, 0.5)}  # (y, x) fractions


def toy_frames(n: int, events: list[tuple[int, int, str, str, float]], seed: int) -> np.ndarray:
    """(n, SIDE, SIDE) uint8; events are (onset, offset, type, region, amplitude) in frame indices."""
    rng = np.random.default_rng(seed)
    base = gaussian_filter(rng.normal(128, 40, (SIDE, SIDE)), 2.0)
    yy, xx = np.mgrid[0:SIDE, 0:SIDE] / SIDE
    frames = np.repeat(base[None], n, axis=0)
    for onset, offset, _, region, amp in events:
        cy, cx = CENTRES[region]
        blob = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * 0.08**2))
        t = np.arange(onset, offset + 1)
        weight = 0.5 - 0.5 * np.cos(2 * np.pi * (t - onset) / max(1, offset - onset))
        frames[onset : offset + 1] += amp * weight[:, None, None] * blob
    frames += rng.normal(0, 1.0, frames.shape)
    return np.clip(frames, 0, 255).astype(np.uint8)


def toy_video(
    video: str, subject: str, fps: float, n: int, events: list[tuple[int, int, str, str, float]], seed: int
) -> VideoSignals:
    feats = features_of_frames(toy_frames(n, events, seed), None, SignalConfig())
    truth = tuple(Interval(video, on, off, kind) for on, off, kind, _, _ in events)
    return VideoSignals(video, subject, fps, np.arange(1, n + 1) - 1, feats, truth)


def toy_dataset(n_subjects: int = 3, fps: float = 30.0) -> list[VideoSignals]:
    """Per subject two 300-frame videos, each with two micro (0.33 s) and one macro (2 s) expression."""
    videos = []
    for s in range(n_subjects):
        for v in range(2):
            shift = 10 * s + 7 * v
            events = [
                (40 + shift, 49 + shift, "micro", "mouth", 14.0),
                (130 + shift, 189 + shift, "macro", "eyes_brows", 40.0),
                (240 + shift, 249 + shift, "micro", "eyes_brows", 14.0),
            ]
            videos.append(toy_video(f"s{s}_v{v}", f"s{s}", fps, 300, events, seed=100 * s + v))
    return videos
