"""The optical-flow shallow-CNN baseline (STSTNet / Off-ApexNet family) as a scikit-learn estimator.

Input per clip: the onset→apex optical flow (u, v) and its optical strain, a small 3-channel image
(28×28 by default). The flow itself comes from ``engine.preprocess.flow`` (OpenCV, cached per clip);
``flow_image`` below is the same computation for two frames in memory, used when that module is not
available and by tests.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from torch import nn

from engine.errors import GlimpseError
from models.flow_cnn import FlowCNN


def optical_strain(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Magnitude of the infinitesimal strain tensor: sqrt(u_x² + v_y² + ½(u_y + v_x)²)."""
    u_y, u_x = np.gradient(u)
    v_y, v_x = np.gradient(v)
    return np.sqrt(u_x**2 + v_y**2 + 0.5 * (u_y + v_x) ** 2).astype(np.float32)


def _farneback(onset: np.ndarray, apex: np.ndarray) -> np.ndarray:
    flow = cv2.calcOpticalFlowFarneback(onset, apex, None, 0.5, 3, 15, 3, 5, 1.2, 0)
    u, v = flow[..., 0], flow[..., 1]
    return np.stack([u, v, optical_strain(u, v)]).astype(np.float32)


def flow_image(
    onset: np.ndarray, apex: np.ndarray, size: int | None = 28, method: str = "farneback"
) -> np.ndarray:
    """(3, size, size) float32: u, v (pixels at the input resolution; +u = rightwards) and strain.

    Uses the preprocessing engineer's ``onset_apex_flow`` when present so the baseline and the
    workbench's flow views agree; resizing averages (INTER_AREA) without rescaling the displacements.
    """
    onset = np.asarray(onset)
    apex = np.asarray(apex)
    if onset.shape != apex.shape or onset.ndim != 2:
        raise GlimpseError(
            f"onset and apex must be two grayscale frames of one shape, got {onset.shape} and {apex.shape}"
        )
    try:
        from engine.preprocess.flow import onset_apex_flow
    except ImportError:
        onset_apex_flow = None
    if onset_apex_flow is not None:
        flow = np.asarray(onset_apex_flow(onset, apex, method=method), dtype=np.float32)
    elif method == "farneback":
        flow = _farneback(onset.astype(np.uint8), apex.astype(np.uint8))
    else:
        raise GlimpseError(f"unknown flow method {method!r}", hint="use farneback")
    if size is None or flow.shape[1:] == (size, size):
        return flow
    return np.stack([cv2.resize(c, (size, size), interpolation=cv2.INTER_AREA) for c in flow]).astype(
        np.float32
    )


class FlowCNNClassifier(ClassifierMixin, BaseEstimator):
    """Flow images (N, 3, S, S) → FlowCNN, trained with Adam and a class-balanced cross-entropy.

    Seeded and deterministic on CPU; channels are standardised with training-set statistics (flow
    magnitudes differ by dataset and crop size). No epoch selection: the fixed ``epochs`` budget is
    used as is, so nothing is tuned on a held-out subject.
    """

    def __init__(
        self,
        epochs: int = 40,
        batch_size: int = 32,
        lr: float = 5e-3,
        weight_decay: float = 1e-4,
        widths: tuple[int, ...] = (3, 5, 8),
        class_weight: str | None = "balanced",
        random_state: int = 0,
        device: str = "cpu",
    ) -> None:
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.widths = widths
        self.class_weight = class_weight
        self.random_state = random_state
        self.device = device

    def _tensor(self, X: np.ndarray) -> torch.Tensor:
        x = (np.asarray(X, dtype=np.float32) - self.mean_) / self.std_
        return torch.from_numpy(x).to(self.device)

    def fit(self, X: np.ndarray, y: Sequence) -> FlowCNNClassifier:
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 4:
            raise GlimpseError(f"flow images must be (N, C, S, S), got shape {X.shape}")
        y = np.asarray(y)
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise GlimpseError(
                f"flow CNN needs at least 2 classes to train, got {list(self.classes_)}",
                hint="the training subjects of this fold cover only one class",
            )
        self.mean_ = X.mean(axis=(0, 2, 3), keepdims=True)[0]
        self.std_ = X.std(axis=(0, 2, 3), keepdims=True)[0] + 1e-6
        torch.manual_seed(self.random_state)
        gen = torch.Generator().manual_seed(self.random_state)
        model = FlowCNN(X.shape[1], len(self.classes_), self.widths, X.shape[2]).to(self.device)
        weight = None
        if self.class_weight == "balanced":
            counts = np.bincount(y_idx, minlength=len(self.classes_)).astype(np.float32)
            weight = torch.tensor(len(y_idx) / (len(counts) * np.maximum(counts, 1)), device=self.device)
        loss_fn = nn.CrossEntropyLoss(weight=weight)
        opt = torch.optim.Adam(model.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        xt = self._tensor(X)
        yt = torch.from_numpy(y_idx.astype(np.int64)).to(self.device)
        model.train()
        self.loss_curve_ = []
        for _ in range(self.epochs):
            order = torch.randperm(len(xt), generator=gen).to(self.device)
            total = 0.0
            for start in range(0, len(xt), self.batch_size):
                idx = order[start : start + self.batch_size]
                if len(idx) < 2:  # BatchNorm needs two samples in training mode
                    continue
                opt.zero_grad()
                loss = loss_fn(model(xt[idx]), yt[idx])
                loss.backward()
                opt.step()
                total += float(loss.detach()) * len(idx)
            self.loss_curve_.append(total / len(xt))
        model.eval()
        self.model_ = model
        return self

    @torch.no_grad()
    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return torch.softmax(self.model_(self._tensor(X)), dim=1).cpu().numpy()

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
