"""The decoder mirroring ``Encoder``: feature vector → reconstructed grayscale crop (1×S×S)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


def deconv_block(c_in: int, c_out: int, last: bool = False) -> nn.Sequential:
    """Transposed 4×4 conv doubling the side; the last block emits pixels in [0, 1]."""
    layers: list[nn.Module] = [nn.ConvTranspose2d(c_in, c_out, 4, stride=2, padding=1, bias=last)]
    layers += [nn.Sigmoid()] if last else [nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]
    return nn.Sequential(*layers)


class Decoder(nn.Module):
    def __init__(
        self,
        image_size: int = 64,
        channels: Sequence[int] = (16, 32, 64, 64),
        feature_dim: int = 64,
        out_chans: int = 1,
    ) -> None:
        super().__init__()
        channels = tuple(channels)
        self.grid = image_size // (2 ** len(channels))
        self.top = channels[-1]
        self.fc = nn.Sequential(
            nn.Linear(feature_dim, self.top * self.grid * self.grid), nn.ReLU(inplace=True)
        )
        rev = list(reversed(channels))
        blocks = [deconv_block(rev[i], rev[i + 1]) for i in range(len(rev) - 1)]
        blocks.append(deconv_block(rev[-1], out_chans, last=True))
        self.deconv = nn.Sequential(*blocks)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        x = self.fc(features).view(-1, self.top, self.grid, self.grid)
        return self.deconv(x)
