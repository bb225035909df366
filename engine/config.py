"""Process-wide settings read from the environment, and the one way a JSON-ish dict (a job's params,
a stored run config) becomes one of the parts' frozen config dataclasses (``config_from_dict``)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from engine.errors import GlimpseError

C = TypeVar("C")


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _workers() -> int | None:
    """``GLIMPSE_WORKERS``: how many worker processes the local executor runs (unset: one per core). How
    the work is spread, never what it computes: a run records it with its environment, not its config."""
    raw = os.environ.get("GLIMPSE_WORKERS", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise GlimpseError(
            f"GLIMPSE_WORKERS must be a whole number ≥ 1, not {raw!r}",
            hint="unset it for one worker per core, or set 1 to run everything in this process",
        )
    return int(raw)


@dataclass(frozen=True)
class Settings:
    """Where the catalog is, which executor runs folds (and with how many workers), which device trains."""

    executor: str = field(default_factory=lambda: _env("GLIMPSE_EXECUTOR", "local"))  # local | ray
    workers: int | None = field(default_factory=_workers)  # local pool size; None = one per core
    ray_address: str | None = field(default_factory=lambda: os.environ.get("RAY_ADDRESS"))
    device: str = field(default_factory=lambda: _env("GLIMPSE_DEVICE", "auto"))
    heartbeat_s: float = field(default_factory=lambda: float(_env("GLIMPSE_HEARTBEAT_S", "2")))
    lost_after_s: float = field(default_factory=lambda: float(_env("GLIMPSE_LOST_AFTER_S", "15")))


def settings() -> Settings:
    return Settings()


def _tuples(value: Any) -> Any:
    """JSON gives lists; frozen configs want (hashable) tuples, nested ones too."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list | tuple) else value


def config_from_dict(
    cls: type[C], data: Mapping[str, Any] | None, *, base: C | None = None, what: str | None = None
) -> C:
    """``cls(**data)`` (or ``base`` with ``data`` replaced), lists turned into tuples.

    Unknown keys are refused — a typo must never silently mean "default" — with a GlimpseError naming
    them and the known ones (``what`` names the settings in that message, e.g. "baseline setting").
    """
    data = dict(data or {})
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - names)
    if unknown:
        raise GlimpseError(
            f"unknown {what or cls.__name__ + ' setting'}(s): {', '.join(unknown)}",
            hint=f"known: {', '.join(sorted(names))}",
        )
    values = {k: _tuples(v) for k, v in data.items()}
    return dataclasses.replace(base, **values) if base is not None else cls(**values)  # type: ignore[type-var]
