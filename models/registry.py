"""Named models, so configs and checkpoints refer to a network by a short name (timm's habit).

Each module that defines a network registers its builders with ``@register_model`` (the function's name
is the model's name); ``models/__init__`` imports every such module, so the registry is complete for
whoever imports ``models``. This is the same decorator style as ``engine.registry``, kept separate
because ``models`` may import nothing else of ours.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from torch import nn

Builder = TypeVar("Builder", bound=Callable[..., nn.Module])

_MODELS: dict[str, Callable[..., nn.Module]] = {}


def register_model(builder: Builder) -> Builder:
    """``@register_model`` on ``def enc_small(**kwargs) -> Encoder``: registers it as ``enc_small``."""
    name = builder.__name__
    if name in _MODELS and _MODELS[name] is not builder:
        raise ValueError(f"model {name!r} is registered twice")
    _MODELS[name] = builder
    return builder


def create_model(name: str, **kwargs: Any) -> nn.Module:
    """``create_model("enc_small")``, ``create_model("enc_base", num_classes=4)``, ``create_model("sequence",
    in_features=64)``, ``create_model("cae", encoder=enc)``."""
    if name not in _MODELS:
        raise KeyError(f"unknown model {name!r}; known: {', '.join(list_models())}")
    return _MODELS[name](**kwargs)


def list_models() -> list[str]:
    return sorted(_MODELS)
