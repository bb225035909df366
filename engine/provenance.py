"""What a run records so it can be reproduced: the code version (package + git commit when known)."""

from __future__ import annotations

import subprocess
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def _git(*args: str) -> str:
    """Output of a git command in the source tree, '' when git or the repository is not there."""
    try:
        result = subprocess.run(
            ["git", *args],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except OSError:
        return ""
    return result.stdout.strip()


@lru_cache(maxsize=1)
def code_version() -> str:
    """``<package version>+g<commit>``, with ``.dirty`` when tracked files differ from that commit."""
    try:
        package = version("glimpse")
    except PackageNotFoundError:
        package = "0+unknown"
    commit = _git("rev-parse", "--short", "HEAD")
    if not commit:
        return package
    dirty = ".dirty" if _git("status", "--porcelain", "--untracked-files=no") else ""
    return f"{package}+g{commit}{dirty}"
