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


DATA_ROOTS_ENV = "GLIMPSE_DATA_ROOTS"


def data_roots() -> list[Path]:
    """The folders the server may read datasets from: ``GLIMPSE_DATA_ROOTS`` (``os.pathsep``-separated),
    default the data home; each resolved after symlinks."""
    given = [p for p in os.environ.get(DATA_ROOTS_ENV, "").split(os.pathsep) if p.strip()]
    return [Path(p).expanduser().resolve() for p in given] or [glimpse_home()]


def require_data_root(path: str | Path) -> Path:
    """``path`` resolved after symlinks (a relative one from the first data root), if it lies under a
    data root; else a GlimpseError. The one check for paths a web page sends (the CLI, run by the
    machine's own user, may read any path); the message is the same whether the path exists or not."""
    roots = data_roots()
    candidate = (roots[0] / Path(path).expanduser()).resolve()
    if any(candidate == root or root in candidate.parents for root in roots):
        return candidate
    listed = os.pathsep.join(str(r) for r in roots)
    raise GlimpseError(
        f"the server reads datasets only under its data roots ({listed})",
        where=str(path),
        hint=f"put the dataset under one of them, or ask the admin to add its folder to {DATA_ROOTS_ENV}",
    )


def relative_to_home(path: Path) -> str:
    """How artifacts are recorded in the catalog: relative to GLIMPSE_HOME, so the home can move."""
    return str(Path(path).resolve().relative_to(glimpse_home()))
