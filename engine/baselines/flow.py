"""The optical-flow shallow-CNN baseline (STSTNet / Off-ApexNet family) as a scikit-learn estimator.

Input per clip: the onset→apex optical flow (u, v) and its optical strain, a small 3-channel image
(28×28 by default). The flow itself comes from ``engine.preprocess.flow`` (OpenCV, cached per clip);
``flow_image`` below turns two frames in memory into that input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from torch import nn

from engine.errors import GlimpseError
from engine.preprocess.flow import onset_apex_flow, resize_flow
from models.flow_cnn import FlowCNN


def flow_image(
    onset: np.ndarray, apex: np.ndarray, size: int | None = 28, method: str = "farneback"
) -> np.ndarray:
    """(3, size, size) float32: u, v (+u = rightwards) and strain, the CNN's input for one clip.

    The flow and its resizing are the preprocessing part's (``onset_apex_flow``, ``resize_flow``), so
    the baseline and the workbench's flow views agree; displacements are rescaled to output pixels.
    """
    flow = onset_apex_flow(np.asarray(onset), np.asarray(apex), method=method)
    if size is None or flow.shape[1:] == (size, size):
        return flow
    return resize_flow(flow, size)


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

    def fit(
        self,
        X: np.ndarray,
        y: Sequence | np.ndarray,
        on_epoch: Callable[[FlowCNNClassifier], None] | None = None,
    ) -> FlowCNNClassifier:
        """Train for ``epochs``; ``on_epoch(self)`` runs after each epoch with the model in eval mode."""
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 4:
            raise GlimpseError(f"flow images must be (N, C, S, S), got shape {X.shape}")
        self.classes_, y_idx = np.unique(np.asarray(y), return_inverse=True)
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
            if on_epoch is not None:
                model.eval()
                self.model_ = model
                on_epoch(self)
                model.train()
        model.eval()
        self.model_ = model
        return self

    @torch.no_grad()
    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return torch.softmax(self.model_(self._tensor(X)), dim=1).cpu().numpy()

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
