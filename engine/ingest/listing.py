"""The one shallow listing of a dataset folder that format detection looks at (``engine.ingest.formats``).

Read once: a long-video release holds millions of frames, and globbing into the frame folders once per
format signature would make detection slower than reading the code file.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Listing:
    """What detection may look at: files at depth 0–1 and folders at depth 1–2 (shallowest first)."""

    root: Path
    files: tuple[Path, ...]
    dirs: tuple[Path, ...]

    @classmethod
    def of(cls, root: Path) -> Listing:
        files: list[Path] = []
        dirs: list[Path] = []
        top = _entries(root)
        files += [p for p, is_dir in top if not is_dir]
        children = [p for p, is_dir in top if is_dir]
        dirs += children
        for child in children:
            below = _entries(child)
            files += [p for p, is_dir in below if not is_dir]
            dirs += [p for p, is_dir in below if is_dir]
        return cls(root, tuple(files), tuple(dirs))

    def file(self, patterns: Sequence[str]) -> Path | None:
        """The shallowest file whose name matches a glob pattern (case-sensitive, like the readers)."""
        for path in self.files:
            if any(fnmatch.fnmatchcase(path.name, pattern) for pattern in patterns):
                return path
        return None

    def dir(self, names: Sequence[str]) -> Path | None:
        """The shallowest folder named one of ``names`` (any case), or the root itself so named."""
        lowered = {n.lower() for n in names}
        if self.root.name.lower() in lowered:
            return self.root
        return next((p for p in self.dirs if p.name.lower() in lowered), None)


def _entries(folder: Path) -> list[tuple[Path, bool]]:
    """Visible entries of one folder, sorted by name, as (path, is a folder)."""
    try:
        with os.scandir(folder) as scan:
            found = [(Path(e.path), e.is_dir()) for e in scan if not e.name.startswith((".", "~$"))]
    except OSError:
        return []
    return sorted(found)
