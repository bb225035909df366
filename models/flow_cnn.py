"""A shallow CNN over an onset→apex optical-flow image (u, v, optical strain), STSTNet-style.

STSTNet (Liong et al., FG 2019) feeds a 3×28×28 flow image to three parallel single-conv branches of
different widths (3, 5, 8 filters), pools each, concatenates and classifies with one fully-connected
layer: ~1.7k weights, which is why it does not overfit the few hundred clips of an ME dataset.
timm habits: ``forward_features`` → (B, D) feature vector, ``forward_head`` → logits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from models.registry import register_model


class FlowCNN(nn.Module):
    def __init__(
        self,
        in_chans: int = 3,
        num_classes: int = 3,
        widths: Sequence[int] = (3, 5, 8),
        input_size: int = 28,
        drop_rate: float = 0.0,
    ) -> None:
        super().__init__()
        if input_size < 6:
            raise ValueError(f"input_size {input_size} is too small (need ≥ 6)")
        self.in_chans = in_chans
        self.num_classes = num_classes
        self.input_size = input_size
        self.branches = nn.ModuleList(
            nn.Sequential(
                nn.Conv2d(in_chans, w, 3, padding=1),
                nn.ReLU(inplace=True),
                nn.BatchNorm2d(w),
                nn.MaxPool2d(3, stride=3, padding=1),
            )
            for w in widths
        )
        self.pool = nn.AvgPool2d(2)
        side = (input_size + 2 - 3) // 3 + 1  # after the 3×3/3 max pool with padding 1
        self.num_features = sum(widths) * (side // 2) ** 2
        self.drop = nn.Dropout(drop_rate)
        self.head = nn.Linear(self.num_features, num_classes) if num_classes > 0 else nn.Identity()

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, S, S) flow images → (B, num_features)."""
        return torch.cat([self.pool(b(x)) for b in self.branches], dim=1).flatten(1)

    def forward_head(self, features: torch.Tensor, pre_logits: bool = False) -> torch.Tensor:
        features = self.drop(features)
        return features if pre_logits else self.head(features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.forward_features(x))


@register_model
def flow_cnn(**kwargs: Any) -> FlowCNN:
    return FlowCNN(**kwargs)
