"""The distractors real data has (blinks, drift, flicker, noise) are present and controlled by the config."""

from __future__ import annotations

import dataclasses

import numpy as np

from engine.synth.config import SynthConfig
from engine.synth.plan import MEClip, me_identities, plan_me_clips
from engine.synth.write import render_me_clip

CLEAN = dataclasses.replace(
    SynthConfig.tiny(), noise_sigma=0.0, flicker=0.0, drift_px=0.0, drift_deg=0.0, blink_prob=0.0
)


def _first_clip(cfg: SynthConfig) -> tuple[MEClip, list[tuple[np.ndarray, np.ndarray]]]:
    clip = plan_me_clips(cfg)[0]
    return clip, render_me_clip(clip, me_identities(cfg)[clip.subject - 1], cfg)


def test_without_distractors_neutral_frames_are_identical() -> None:
    clip, frames = _first_clip(CLEAN)
    before_onset = clip.onset - clip.first_frame
    assert before_onset >= 2
    assert np.array_equal(frames[0][0], frames[before_onset - 1][0])
    assert np.array_equal(frames[0][1], frames[before_onset - 1][1])


def test_noise_flicker_and_drift_change_neutral_frames() -> None:
    noisy = dataclasses.replace(CLEAN, noise_sigma=2.0)
    clip, frames = _first_clip(noisy)
    a, b = (f[0].astype(float) for f in (frames[0], frames[1]))
    assert 1.0 < np.abs(a - b).mean() < 4.0  # sensor noise of about 2 grey levels
    drifting = dataclasses.replace(CLEAN, drift_px=1.0, drift_deg=0.5)
    clip, frames = _first_clip(drifting)
    last_neutral = clip.onset - clip.first_frame - 1
    shift = np.abs(frames[last_neutral][1] - frames[0][1]).max()
    assert 0.01 < shift < 3.0  # landmarks follow the slow head drift, by pixels at most
    flickering = dataclasses.replace(CLEAN, flicker=0.05)
    clip, frames = _first_clip(flickering)
    means = [f[0].mean() for f in frames[: clip.onset - clip.first_frame]]
    assert np.ptp(means) > 0.5


def test_blinks_close_the_eyes_in_the_recorded_frames() -> None:
    cfg = dataclasses.replace(CLEAN, blink_prob=1.0)
    clip, frames = _first_clip(cfg)
    assert len(clip.blinks) == 1
    start, end = clip.blinks[0]
    openness = [abs(lm[41, 1] - lm[37, 1]) for _, lm in frames]
    inside = openness[start - clip.first_frame : end - clip.first_frame + 1]
    assert min(inside) < 0.3 * max(openness)
    assert min(openness) == min(inside)


def test_default_config_has_casme2_like_clip_shape() -> None:
    cfg = SynthConfig()
    clips = plan_me_clips(cfg)
    assert len(clips) == 150 and len({c.subject for c in clips}) == 26
    durations = np.array([(c.offset - c.onset) / cfg.fps for c in clips])
    assert durations.min() >= 0.19 and durations.max() <= 0.51  # 0.2-0.5 s MEs
    assert all(c.first_frame > 1 or c.onset > c.first_frame for c in clips)
    assert (
        0.3 < np.mean([c.partial is not None for c in clips if c.emotion in ("happiness", "disgust")]) < 0.8
    )
    assert 0.2 < np.mean([bool(c.blinks) for c in clips]) < 0.5
    assert any(c.action_units[0] in "LR" or "+L" in c.action_units or "+R" in c.action_units for c in clips)
