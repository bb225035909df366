"""Where Glimpse keeps its files (one data home) and the guard that keeps user paths inside a root."""

from __future__ import annotations

import os
from pathlib import Path

from engine.errors import GlimpseError


def glimpse_home() -> Path:
    """GLIMPSE_HOME, default ``./.glimpse``; created on first use."""
    home = Path(os.environ.get("GLIMPSE_HOME", ".glimpse")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    return home


def cache_dir() -> Path:
    path = glimpse_home() / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def runs_dir() -> Path:
    path = glimpse_home() / "runs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def synthetic_dir() -> Path:
    return glimpse_home() / "datasets" / "synthetic"


def resolve_within(root: str | Path, relative: str | Path) -> Path:
    """``root / relative``, refusing anything (``..``, absolute paths, symlinks) that escapes ``root``."""
    root_path = Path(root).resolve()
    candidate = (root_path / relative).resolve()
    if candidate != root_path and root_path not in candidate.parents:
        raise GlimpseError(
            f"path {str(relative)!r} escapes its root {str(root_path)!r}", hint="use a path inside it"
        )
    return candidate


def relative_to_home(path: Path) -> str:
    """How artifacts are recorded in the catalog: relative to GLIMPSE_HOME, so the home can move."""
    return str(Path(path).resolve().relative_to(glimpse_home()))
