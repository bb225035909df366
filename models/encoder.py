"""A small CNN encoder: grayscale face crop (1×S×S) → feature vector.

timm habits: ``forward_features`` gives the feature vector every stage shares, ``forward_head`` the
optional classifier on top (identity when ``num_classes == 0``), so one module serves the CAE, the
expression stage and the per-frame features of stage 3.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from models.registry import register_model


def conv_block(c_in: int, c_out: int) -> nn.Sequential:
    """3×3 conv (stride 2 halves the side) + BN + ReLU."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class Encoder(nn.Module):
    def __init__(
        self,
        image_size: int = 64,
        channels: Sequence[int] = (16, 32, 64, 64),
        feature_dim: int = 64,
        num_classes: int = 0,
        in_chans: int = 1,
    ) -> None:
        super().__init__()
        factor = 2 ** len(channels)
        if image_size % factor:
            raise ValueError(f"image_size {image_size} must be a multiple of {factor}")
        self.image_size = image_size
        self.channels = tuple(channels)
        self.feature_dim = feature_dim
        self.in_chans = in_chans
        self.grid = image_size // factor
        blocks, c_prev = [], in_chans
        for c in channels:
            blocks.append(conv_block(c_prev, c))
            c_prev = c
        self.conv = nn.Sequential(*blocks)
        self.fc = nn.Sequential(nn.Flatten(), nn.Linear(c_prev * self.grid * self.grid, feature_dim))
        self.num_classes = num_classes
        self.head: nn.Module = nn.Linear(feature_dim, num_classes) if num_classes else nn.Identity()

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, S, S) → (B, feature_dim)."""
        return self.fc(self.conv(x))

    def forward_head(self, features: torch.Tensor) -> torch.Tensor:
        return self.head(features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.forward_features(x))


# named sizes: the constructor arguments of each registered encoder (overridable, e.g. ``image_size``)
ENCODER_VARIANTS: dict[str, dict[str, Any]] = {
    # tests: seconds on a CPU
    "enc_tiny": {"image_size": 32, "channels": (8, 16, 16), "feature_dim": 32},
    # laptop CPU, 64² crops
    "enc_small": {"image_size": 64, "channels": (16, 32, 64, 64), "feature_dim": 64},
    # GPU, 128² crops
    "enc_base": {"image_size": 128, "channels": (32, 64, 128, 256, 256), "feature_dim": 256},
}


@register_model
def enc_tiny(**overrides: Any) -> Encoder:
    return Encoder(**{**ENCODER_VARIANTS["enc_tiny"], **overrides})


@register_model
def enc_small(**overrides: Any) -> Encoder:
    return Encoder(**{**ENCODER_VARIANTS["enc_small"], **overrides})


@register_model
def enc_base(**overrides: Any) -> Encoder:
    return Encoder(**{**ENCODER_VARIANTS["enc_base"], **overrides})
