"""Classification heads that sit on encoder features."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from models.registry import register_model


class ExpressionHead(nn.Module):
    """Stage 2 (ER): one fully-connected layer on the encoder features → the macro classes (4: the engine's
    ``LABELS_MACRO``; models know no label names)."""

    def __init__(self, in_features: int, num_classes: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.fc = nn.Linear(in_features, num_classes)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.fc(self.drop(features))


@register_model
def expression_head(**kwargs: Any) -> ExpressionHead:
    return ExpressionHead(**kwargs)
