"""Flow baseline: a synthetic translation has the right flow sign; the CNN has the right shapes and learns."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.base import clone

from engine.baselines.flow import FlowCNNClassifier, flow_image
from engine.preprocess.flow import optical_strain
from models.flow_cnn import FlowCNN


def _texture(size: int = 64, seed: int = 0) -> np.ndarray:
    """Smooth random texture (blurred noise), which dense flow can track unambiguously."""
    import cv2

    rng = np.random.default_rng(seed)
    noise = rng.integers(0, 256, (size, size)).astype(np.float32)
    return cv2.normalize(cv2.GaussianBlur(noise, (0, 0), 2.0), None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)


@pytest.mark.parametrize("method", ["farneback", "tvl1"])
@pytest.mark.parametrize(("dx", "dy"), [(2, 0), (-2, 0), (0, 2)])
def test_translation_gives_flow_with_the_right_sign(dx: int, dy: int, method: str) -> None:
    base = _texture()
    apex = np.roll(base, shift=(dy, dx), axis=(0, 1))  # content moves +dx right, +dy down
    flow = flow_image(base, apex, size=None, method=method)
    assert flow.shape == (3, 64, 64) and flow.dtype == np.float32
    inner = (slice(12, -12), slice(12, -12))
    u, v = float(np.median(flow[0][inner])), float(np.median(flow[1][inner]))
    assert u == pytest.approx(dx, abs=0.3)
    assert v == pytest.approx(dy, abs=0.3)
    # a rigid translation has (near) zero strain in the interior
    assert float(np.median(flow[2][inner])) < 0.1


def test_flow_image_is_resized_to_the_cnn_input() -> None:
    base = _texture()
    flow = flow_image(base, np.roll(base, 2, axis=1), size=28)
    assert flow.shape == (3, 28, 28)
    # displacements are rescaled to output pixels: 2 px at 64 px is 0.875 px at 28 px
    assert float(np.median(flow[0, 6:-6, 6:-6])) == pytest.approx(2.0 * 28 / 64, abs=0.15)


def test_optical_strain_of_a_known_field() -> None:
    # u = 0.1·x (a stretch along x): u_x = 0.1, others 0 → strain 0.1 everywhere
    _, xx = np.mgrid[0:10, 0:10].astype(float)
    s = optical_strain(0.1 * xx, np.zeros_like(xx))
    np.testing.assert_allclose(s, 0.1, atol=1e-6)
    # v = 0.2·x (a shear): v_x = 0.2 → sqrt(½·0.2²) = 0.1414
    np.testing.assert_allclose(optical_strain(np.zeros_like(xx), 0.2 * xx), np.sqrt(0.5) * 0.2, atol=1e-6)


def test_flow_cnn_shapes() -> None:
    torch.set_num_threads(1)
    m = FlowCNN(num_classes=3)
    x = torch.zeros(4, 3, 28, 28)
    assert m.forward_features(x).shape == (4, 16 * 5 * 5)
    assert m(x).shape == (4, 3)
    assert FlowCNN(num_classes=2, input_size=32)(torch.zeros(2, 3, 32, 32)).shape == (2, 2)


def _toy_flows(n: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """Class 'right' has u ≈ +1, class 'left' u ≈ −1, plus noise: trivially separable."""
    rng = np.random.default_rng(0)
    y = np.array(["right", "left"] * (n // 2))
    x = rng.normal(0, 0.3, (n, 3, 28, 28)).astype(np.float32)
    x[:, 0] += np.where(y == "right", 1.0, -1.0)[:, None, None]
    return x, y


def test_flow_cnn_classifier_fits_separable_toy_set_deterministically() -> None:
    torch.set_num_threads(1)
    x, y = _toy_flows()
    clf = FlowCNNClassifier(epochs=15, batch_size=8, random_state=3)
    clf.fit(x, y)
    assert list(clf.classes_) == ["left", "right"]
    assert clf.score(x, y) == 1.0
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    proba = clf.predict_proba(x[:5])
    assert proba.shape == (5, 2) and np.allclose(proba.sum(1), 1.0, atol=1e-5)
    again = clone(clf).fit(x, y)
    np.testing.assert_allclose(again.predict_proba(x[:5]), proba, atol=1e-6)
