"""Named models, so configs and checkpoints refer to a network by a short name (timm's habit).

Each module that defines a network registers its builders with ``@register_model`` (the function's name
is the model's name); ``models/__init__`` imports every such module, so the registry is complete for
whoever imports ``models``. ``Registry`` here is a twin of ``engine.registry.Registry`` (same name, same
``register`` / ``get_or_fail`` / ``instances``), kept separate because ``models`` may import nothing else
of ours; its unknown-name error is a ``KeyError`` for the same reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar, TypeVar

from torch import nn

T = TypeVar("T")
Builder = TypeVar("Builder", bound=Callable[..., nn.Module])


class Registry(Mapping[str, T]):
    """Name → item, in registration order (the twin of ``engine.registry.Registry``)."""

    instances: ClassVar[list[Registry[object]]] = []  # every registry created, in creation order

    def __init__(self, what: str) -> None:
        self.what = what
        self._items: dict[str, T] = {}
        Registry.instances.append(self)  # type: ignore[arg-type]

    def add(self, name: str, item: T) -> T:
        """Register ``item`` as ``name``; a second, different item under one name is a bug."""
        known = self._items.get(name)
        if known is not None and known is not item:
            raise ValueError(f"{self.what} {name!r} is registered twice")
        self._items[name] = item
        return item

    def get_or_fail(self, name: str) -> T:
        """The item, or a KeyError naming the known ones."""
        if name not in self._items:
            raise KeyError(f"unknown {self.what} {name!r}; known: {', '.join(sorted(self._items))}")
        return self._items[name]

    def __getitem__(self, name: str) -> T:
        return self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


MODELS: Registry[Callable[..., nn.Module]] = Registry("model")


def register_model(builder: Builder) -> Builder:
    """``@register_model`` on ``def enc_small(**kwargs) -> Encoder``: registers it as ``enc_small``."""
    MODELS.add(builder.__name__, builder)
    return builder


def get_model(name: str) -> Callable[..., nn.Module]:
    """The builder registered as ``name``, or a KeyError naming the known ones."""
    return MODELS.get_or_fail(name)


def create_model(name: str, **kwargs: Any) -> nn.Module:
    """``create_model("enc_small")``, ``create_model("enc_base", num_classes=4)``, ``create_model("sequence",
    in_features=64)``, ``create_model("cae", encoder=enc)``."""
    return get_model(name)(**kwargs)


def list_models() -> list[str]:
    return sorted(MODELS)
