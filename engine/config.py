"""Process-wide settings read from the environment (each part keeps its own config dataclass)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Settings:
    """Where the catalog is, which executor runs folds, which device trains."""

    executor: str = field(default_factory=lambda: _env("GLIMPSE_EXECUTOR", "local"))  # local | ray
    ray_address: str | None = field(default_factory=lambda: os.environ.get("RAY_ADDRESS"))
    device: str = field(default_factory=lambda: _env("GLIMPSE_DEVICE", "auto"))
    heartbeat_s: float = field(default_factory=lambda: float(_env("GLIMPSE_HEARTBEAT_S", "2")))
    lost_after_s: float = field(default_factory=lambda: float(_env("GLIMPSE_LOST_AFTER_S", "15")))


def settings() -> Settings:
    return Settings()
