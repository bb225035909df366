"""Temporal resampling and onset→apex optical flow."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy.orm import Session

from engine.errors import GlimpseError
from engine.preprocess.cache import cache_path
from engine.preprocess.flow import clip_flow, has_tvl1, onset_apex_flow, resize_flow
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
    if has_tvl1():
        tvl1 = onset_apex_flow(onset, stretch, method="tvl1")
        assert tvl1[2, 16:-16, 16:-16].mean() > 0.03
    else:  # plain opencv-python has no cv2.optflow: say so instead of failing obscurely
        with pytest.raises(GlimpseError, match="opencv-contrib"):
            onset_apex_flow(onset, stretch, method="tvl1")


def test_clip_flow_is_cached(session: Session, make_clip) -> None:
    # face drifts +1.5 px in x per frame, but crops are tracked: flow between aligned crops is ~0
    clip_id = make_clip(n=5, shift=(1.5, 0.0), onset=1, apex=3, offset=5)
    flow = clip_flow(session, clip_id, size=28)
    assert flow.shape == (3, 28, 28) and flow.dtype == np.float32
    assert np.abs(flow[0]).mean() < 0.3
    again = clip_flow(session, clip_id, size=28)
    np.testing.assert_array_equal(again, flow)
    assert any(cache_path("x", "flow").parent.parent.rglob("*.npy"))
