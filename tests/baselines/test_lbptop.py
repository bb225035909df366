"""LBP-TOP histograms on sequences whose codes can be worked out by hand, and the SVM estimator."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.feature import local_binary_pattern
from sklearn.base import clone

from engine.baselines.lbptop import LBPTOPSVM, LBPTOPTransformer, code_table, lbp_top
from engine.errors import GlimpseError

ALL_ONES = 57  # nri_uniform bin of code 0b11111111 (every neighbour >= centre), P=8: P(P-1)+1
LEFT_DARK = 35  # nri_uniform bin of code 199 = 0b11000111: the neighbours at 135°, 180°, 225° are darker
ABOVE_DARK = 37  # nri_uniform bin of code 241 = 0b11110001: the neighbours at 45°, 90°, 135° are darker


def test_constant_sequence_puts_all_mass_in_the_all_equal_bin() -> None:
    seq = np.full((5, 12, 12), 117, dtype=np.uint8)
    h = lbp_top(seq, grid=(2, 2))
    assert h.shape == (3, 4, 59)
    expected = np.zeros(59)
    expected[ALL_ONES] = 1.0
    for plane in range(3):
        for block in range(4):
            np.testing.assert_array_equal(h[plane, block], expected)
    # rotation-invariant uniform coding: the all-equal pattern has 8 ones → bin 8 of 10
    hu = lbp_top(seq, grid=(1, 1), method="uniform")
    assert hu.shape == (3, 1, 10)
    assert hu[:, 0, 8].tolist() == [1.0, 1.0, 1.0]


def test_static_vertical_edge() -> None:
    # W = 8: columns 0-3 dark (0), 4-7 bright (200); interior columns are 1..6 (radius 1).
    # Column 4 (first bright) sees its left neighbours darker → code 199 → bin 35; all others 255 → 57.
    # XY and XT (rows t, cols x) both see that vertical edge: 1/6 of voxels in bin 35, 5/6 in 57.
    # YT (rows t, cols y) slices are constant → all in 57.
    seq = np.zeros((4, 6, 8), dtype=np.uint8)
    seq[:, :, 4:] = 200
    h = lbp_top(seq, grid=(1, 1))
    for plane in (0, 1):
        assert h[plane, 0, LEFT_DARK] == pytest.approx(1 / 6)
        assert h[plane, 0, ALL_ONES] == pytest.approx(5 / 6)
        assert h[plane, 0].sum() == pytest.approx(1.0)
    assert h[2, 0, ALL_ONES] == pytest.approx(1.0)


def test_moving_edge_shows_in_the_temporal_planes() -> None:
    # A bright region whose edge moves left one pixel per frame: (t, x) is bright when x >= 6 - t.
    # YT plane (rows t, cols y), fixed x: a pixel is dark up to t = 5 - x, bright from t = 6 - x on.
    # Only the first bright row differs from "all equal": its neighbours at 45°, 90°, 135° (row t-1)
    # are darker → code 0b11110001 = 241 → nri bin 37. Interior (t, x) pairs: t in 1..3, x in 1..8 = 24;
    # first-bright ones are t = 6 - x → (1, 5), (2, 4), (3, 3) = 3 of 24 → YT histogram: 1/8 in bin 37,
    # 7/8 in bin 57. A static edge (previous test) has YT all in bin 57.
    t_len, h_len, w_len = 5, 6, 10
    seq = np.zeros((t_len, h_len, w_len), dtype=np.uint8)
    for t in range(t_len):
        seq[t, :, 6 - t :] = 200
    h = lbp_top(seq, grid=(1, 1))
    assert h[2, 0, ABOVE_DARK] == pytest.approx(1 / 8)
    assert h[2, 0, ALL_ONES] == pytest.approx(7 / 8)
    # XY: each interior frame has one edge column among its 8 interior columns → 1/8 in bin 35
    assert h[0, 0, LEFT_DARK] == pytest.approx(1 / 8)
    assert h[0, 0, ALL_ONES] == pytest.approx(7 / 8)
    # XT (rows t, cols x) sees a diagonal edge; its codes equal skimage's on the same slices
    ref = np.stack(
        [local_binary_pattern(seq[:, y, :], 8, 1, "nri_uniform")[1:-1, 1:-1] for y in range(1, h_len - 1)]
    ).astype(int)
    ref_hist = np.bincount(ref.ravel(), minlength=59) / ref.size
    np.testing.assert_allclose(h[1, 0], ref_hist, atol=1e-6)
    assert h[1, 0, ALL_ONES] < 1.0
    table = code_table(8, "nri_uniform")
    assert table[241] == ABOVE_DARK and table[199] == LEFT_DARK and table[255] == ALL_ONES


def test_matches_skimage_on_random_xy_planes() -> None:
    rng = np.random.default_rng(0)
    seq = rng.integers(0, 256, (5, 14, 11)).astype(np.uint8)
    h = lbp_top(seq, grid=(1, 1))
    codes = np.stack([local_binary_pattern(seq[t], 8, 1, "nri_uniform")[1:-1, 1:-1] for t in range(1, 4)])
    ref = np.bincount(codes.astype(int).ravel(), minlength=59) / codes.size
    np.testing.assert_allclose(h[0, 0], ref, atol=1e-6)


def test_too_small_sequence_is_a_user_error() -> None:
    with pytest.raises(GlimpseError, match="too small"):
        lbp_top(np.zeros((2, 20, 20), np.uint8))


def _toy_set(n: int = 12) -> tuple[list[np.ndarray], list[str]]:
    """Two separable classes: static noise vs a bright bar sweeping across the frame."""
    rng = np.random.default_rng(1)
    X, y = [], []
    for i in range(n):
        seq = rng.integers(90, 110, (6, 16, 16)).astype(np.uint8)
        if i % 2:
            for t in range(6):
                seq[t, :, 2 * t : 2 * t + 3] = 250
            y.append("moving")
        else:
            y.append("still")
        X.append(seq)
    return X, y


def test_svm_estimator_sklearn_behaviour() -> None:
    X, y = _toy_set()
    est = LBPTOPSVM(grid=(2, 2))
    twin = clone(est)
    assert twin.get_params()["grid"] == (2, 2) and twin is not est
    twin.fit(X, y)
    assert list(twin.classes_) == ["moving", "still"]
    assert twin.score(X, y) == 1.0
    proba = twin.predict_proba(X[:3])
    assert proba.shape == (3, 2) and np.allclose(proba.sum(1), 1.0)
    # precomputed features give the same predictions
    F = LBPTOPTransformer(grid=(2, 2)).fit_transform(X)
    assert F.shape == (12, 3 * 4 * 59)
    pre = LBPTOPSVM(grid=(2, 2), precomputed=True).fit(F, y)
    assert list(pre.predict(F)) == list(twin.predict(X))


def test_svm_needs_two_classes() -> None:
    X, _ = _toy_set(4)
    with pytest.raises(GlimpseError, match="at least 2 classes"):
        LBPTOPSVM(grid=(2, 2)).fit(X, ["a"] * 4)
