"""Stage 3: an RNN over per-frame encoder features in frame order, classified from the LAST output."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from models.registry import register_model


class SequenceClassifier(nn.Module):
    """GRU/LSTM over (B, T, D) features + a feed-forward head read after the last frame.

    ``timestep_scores`` applies the same head to every step's output: the trajectory of class scores a
    clip goes through; its last step is exactly the clip's prediction.
    """

    def __init__(
        self,
        in_features: int,
        hidden: int = 64,
        layers: int = 1,
        rnn: str = "gru",
        *,
        num_classes: int,  # the engine's ME label set decides (models know no label names)
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        if rnn not in ("gru", "lstm"):
            raise ValueError(f"rnn must be 'gru' or 'lstm', not {rnn!r}")
        cls = nn.GRU if rnn == "gru" else nn.LSTM
        self.rnn_type = rnn
        self.rnn = cls(
            in_features, hidden, num_layers=layers, batch_first=True, dropout=dropout if layers > 1 else 0.0
        )
        self.head = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, num_classes)
        )

    def outputs(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, D) → RNN outputs (B, T, hidden)."""
        out, _ = self.rnn(x)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, D) → logits (B, C) from the output after the last frame."""
        return self.head(self.outputs(x)[:, -1])

    def timestep_scores(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, D) → per-step class probabilities (B, T, C)."""
        return torch.softmax(self.head(self.outputs(x)), dim=-1)


@register_model
def sequence(**kwargs: Any) -> SequenceClassifier:
    return SequenceClassifier(**kwargs)
