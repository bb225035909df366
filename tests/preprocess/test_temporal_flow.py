"""Temporal resampling and optical flow (Farnebäck and TV-L1, checked against a known motion)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from sqlalchemy.orm import Session

from engine.errors import GlimpseError
from engine.preprocess.cache import cache_path, clip_crops
from engine.preprocess.flow import (
    clip_flow,
    normalise_channels,
    onset_apex_flow,
    pair_flow,
    resize_flow,
)
from engine.preprocess.registry import FLOW_METHODS
from engine.preprocess.temporal import resample, sample_indices


def test_sample_indices_cover_first_and_last() -> None:
    idx = sample_indices(10, 4)
    assert idx.tolist() == [0, 3, 6, 9]
    assert sample_indices(3, 5).tolist() == [0, 0, 1, 2, 2]  # upsampling repeats frames
    assert sample_indices(7, 1).tolist() == [0]
    with pytest.raises(GlimpseError):
        sample_indices(0, 4)


def test_linear_resample_gives_exact_midpoints() -> None:
    frames = np.stack([np.full((2, 3), 10.0), np.full((2, 3), 20.0), np.full((2, 3), 40.0)])
    out = resample(frames, 5, "linear")  # positions 0, 0.5, 1, 1.5, 2
    assert out.shape == (5, 2, 3)
    assert out[:, 0, 0].tolist() == [10.0, 15.0, 20.0, 30.0, 40.0]
    ints = resample(np.array([[[0]], [[100]]], dtype=np.uint8), 3, "linear")
    assert ints.dtype == np.uint8 and ints.ravel().tolist() == [0, 50, 100]
    near = resample(frames, 2, "nearest")
    assert near[:, 0, 0].tolist() == [10.0, 40.0]
    with pytest.raises(GlimpseError, match="unknown resampling"):
        resample(frames, 4, "cubic")


def _texture(size: int = 64) -> np.ndarray:
    rng = np.random.default_rng(1)
    import cv2

    noise = cv2.GaussianBlur(rng.random((size + 16, size + 16)).astype(np.float32), (0, 0), 2.0)
    noise = (noise - noise.min()) / (noise.max() - noise.min())
    return (noise * 255).astype(np.uint8)


def test_flow_of_a_translation_has_the_right_sign() -> None:
    big = _texture()
    onset = big[8:-8, 8:-8]
    apex = big[8:-8, 6:-10]  # content moves +2 px in x
    flow = onset_apex_flow(onset, apex)
    assert flow.shape == (3, 64, 64) and flow.dtype == np.float32
    inner = (slice(None), slice(12, -12), slice(12, -12))
    u, v, strain = flow[inner]
    assert u.mean() == pytest.approx(2.0, abs=0.3)
    assert abs(v.mean()) < 0.3
    assert strain.mean() < 0.2  # a rigid translation has almost no strain
    small = resize_flow(flow, 32)
    assert small.shape == (3, 32, 32) and small[0, 6:-6, 6:-6].mean() == pytest.approx(1.0, abs=0.2)


def test_flow_of_a_stretch_has_strain() -> None:
    import cv2

    onset = _texture()[8:-8, 8:-8]
    stretch = cv2.warpAffine(onset, np.float32([[1.06, 0, -1.92], [0, 1, 0]]), (64, 64))
    flow = onset_apex_flow(onset, stretch)
    assert flow[2, 16:-16, 16:-16].mean() > 0.03
    with pytest.raises(GlimpseError, match="unknown flow method"):
        onset_apex_flow(onset, stretch, method="lucas")
    tvl1 = onset_apex_flow(onset, stretch, method="tvl1")
    assert tvl1[2, 16:-16, 16:-16].mean() > 0.03


def test_clip_flow_is_cached(session: Session, make_clip) -> None:
    # face drifts +1.5 px in x per frame, but crops are tracked: flow between aligned crops is ~0
    clip_id = make_clip(n=5, shift=(1.5, 0.0), onset=1, apex=3, offset=5)
    flow = clip_flow(session, clip_id, size=28)
    assert flow.shape == (3, 28, 28) and flow.dtype == np.float32
    assert np.abs(flow[0]).mean() < 0.3
    again = clip_flow(session, clip_id, size=28)
    np.testing.assert_array_equal(again, flow)
    assert any(cache_path("x", "flow").parent.parent.rglob("*.npy"))


def smooth_texture(n: int = 128, seed: int = 0) -> np.ndarray:
    """A band-limited random texture (grey 25..225): every pixel has gradient for flow to lock on to."""
    rng = np.random.default_rng(seed)
    t = cv2.resize(rng.random((n // 4, n // 4)).astype(np.float32), (n, n), interpolation=cv2.INTER_CUBIC)
    t = cv2.GaussianBlur(t, (0, 0), 1.5)
    return ((t - t.min()) / (t.max() - t.min()) * 200 + 25).astype(np.float32)


def known_motion(n: int = 128) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(first, second, u, v): ``second`` is ``first`` moved by the smooth, non-uniform field (u, v)."""
    first = smooth_texture(n)
    y, x = np.mgrid[0:n, 0:n].astype(np.float32)
    u = (1.2 + 0.8 * np.sin(2 * np.pi * y / n)).astype(np.float32)
    v = (-0.6 + 0.6 * np.cos(2 * np.pi * x / n)).astype(np.float32)
    second = cv2.remap(first, x - u, y - v, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)
    return np.clip(first, 0, 255).astype(np.uint8), np.clip(second, 0, 255).astype(np.uint8), u, v


@pytest.mark.parametrize("method", sorted(FLOW_METHODS))
def test_flow_end_point_error_on_a_known_motion(method: str) -> None:
    first, second, u, v = known_motion()
    flow = pair_flow(first, second, method)
    inner = (slice(16, -16), slice(16, -16))  # borders have no information about what came in
    epe = float(np.hypot(flow[0] - u, flow[1] - v)[inner].mean())
    assert epe < 0.15, f"{method}: EPE {epe:.3f} px"
    still = float(np.hypot(*pair_flow(first, first, method)[:2])[inner].mean())
    assert still < 0.02  # no motion, no flow
    assert float(np.hypot(u, v)[inner].mean()) > 10 * epe  # the motion is far larger than the error


def test_normalise_channels_scales_each_channel_to_unit_range() -> None:
    flow = np.stack([np.linspace(-2, 3, 16).reshape(4, 4), np.full((4, 4), 7.0), np.eye(4) * 0.5])
    out = normalise_channels(flow.astype(np.float32))
    assert out[0].min() == 0.0 and out[0].max() == 1.0 and out[2].max() == 1.0
    assert not out[1].any()  # a flat channel stays flat instead of dividing by zero


def test_apex_offset_flow_is_the_second_half(session: Session, make_clip) -> None:
    clip_id = make_clip(n=5, onset=1, apex=3, offset=5)
    onset_apex = clip_flow(session, clip_id, size=28, method="tvl1")
    apex_offset = clip_flow(session, clip_id, size=28, method="tvl1", pair="apex_offset")
    crops = clip_crops(session, clip_id, span="onset_offset")  # frames 1..5, apex 3 at index 2
    expected = resize_flow(pair_flow(crops.frames[2], crops.frames[4], "tvl1"), 28)
    np.testing.assert_allclose(apex_offset, expected, atol=1e-6)
    first_half = resize_flow(pair_flow(crops.frames[0], crops.frames[2], "tvl1"), 28)
    np.testing.assert_allclose(onset_apex, first_half, atol=1e-6)
    with pytest.raises(GlimpseError, match="unknown frame pair"):
        clip_flow(session, clip_id, pair="apex_onset")
