"""One registry style for everything looked up by name: a ``Registry`` filled by a decorator in the module
that defines the thing, and complete once its package ``__init__`` has imported those modules.

Every package that looks things up by name keeps its registry in its ``registry.py``, with a decorator
``register_<thing>`` and a lookup ``get_<thing>`` (docs/ARCHITECTURE.md lists them all; the class records
every instance so a test can check that list against the registries that exist). It lives here, beside
``engine.errors``, so every engine layer can use it without importing upwards; ``models`` may import
nothing of ours, so ``models.registry`` keeps a twin of this class, named and used the same way.

A registry is a read-only mapping in registration order (the order pages and the CLI list names in);
``get`` fails with a GlimpseError that lists the known names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import ClassVar, TypeVar

from engine.errors import GlimpseError

T = TypeVar("T")


class Registry(Mapping[str, T]):
    """Name → item, in registration order. ``what`` names the kind of thing in error messages."""

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

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator form of ``add`` for items that are the decorated object itself."""

        def decorate(item: T) -> T:
            return self.add(name, item)

        return decorate

    def get_or_fail(self, name: str) -> T:
        """The item, or a GlimpseError naming the known ones."""
        if name not in self._items:
            known = ", ".join(self._items) or "none registered"
            raise GlimpseError(f"unknown {self.what} {name!r}", hint=f"known: {known}")
        return self._items[name]

    def names(self) -> list[str]:
        return list(self._items)

    def __getitem__(self, name: str) -> T:
        return self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)
