"""Convolutional autoencoder (stage 1, FIR): encoder + mirrored decoder reconstructing the input."""

from __future__ import annotations

import torch
from torch import nn

from models.decoder import Decoder
from models.encoder import Encoder
from models.registry import register_model


class CAE(nn.Module):
    def __init__(self, encoder: Encoder) -> None:
        super().__init__()
        self.encoder = encoder
        self.decoder = Decoder(encoder.image_size, encoder.channels, encoder.feature_dim, encoder.in_chans)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, S, S) in [0, 1] → reconstruction of the same shape."""
        return self.decoder(self.encoder.forward_features(x))


@register_model
def cae(encoder: Encoder) -> CAE:
    return CAE(encoder)
