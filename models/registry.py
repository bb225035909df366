"""Named model variants, so configs and checkpoints refer to a network by a short name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torch import nn

from models.cae import CAE
from models.encoder import Encoder
from models.heads import ExpressionHead
from models.sequence import SequenceClassifier

ENCODER_VARIANTS: dict[str, dict[str, Any]] = {
    # tests: seconds on a CPU
    "enc_tiny": {"image_size": 32, "channels": (8, 16, 16), "feature_dim": 32},
    # laptop CPU, 64² crops
    "enc_small": {"image_size": 64, "channels": (16, 32, 64, 64), "feature_dim": 64},
    # GPU, 128² crops
    "enc_base": {"image_size": 128, "channels": (32, 64, 128, 256, 256), "feature_dim": 256},
}

_BUILDERS: dict[str, Callable[..., nn.Module]] = {
    "cae": lambda encoder, **kw: CAE(encoder),
    "expression_head": lambda **kw: ExpressionHead(**kw),
    "sequence": lambda **kw: SequenceClassifier(**kw),
}


def encoder_kwargs(name: str, **overrides: Any) -> dict[str, Any]:
    """The constructor arguments of a named encoder, with overrides (e.g. ``image_size``)."""
    if name not in ENCODER_VARIANTS:
        raise KeyError(f"unknown encoder {name!r}; known: {', '.join(sorted(ENCODER_VARIANTS))}")
    return {**ENCODER_VARIANTS[name], **overrides}


def create_model(name: str, **kwargs: Any) -> nn.Module:
    """``create_model("enc_small")``, ``create_model("enc_base", num_classes=4)``, ``create_model("sequence",
    in_features=64)``, ``create_model("cae", encoder=enc)``."""
    if name in ENCODER_VARIANTS:
        return Encoder(**encoder_kwargs(name, **kwargs))
    if name in _BUILDERS:
        return _BUILDERS[name](**kwargs)
    known = sorted([*ENCODER_VARIANTS, *_BUILDERS])
    raise KeyError(f"unknown model {name!r}; known: {', '.join(known)}")


def list_models() -> list[str]:
    return sorted([*ENCODER_VARIANTS, *_BUILDERS])
