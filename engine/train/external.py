"""The few calls this package makes into parts other engineers own, in one place.

Each is imported lazily; where the owning module is not there (yet), a small local fallback keeps the
training engine usable, so switching to the real implementation needs no change elsewhere.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.schema import Clip, Dataset
from engine.progress import Reporter


def executor_map(
    fn: Callable[[Any], Any], items: Sequence[Any], reporter: Reporter | None = None
) -> list[Any]:
    """Run ``fn`` over ``items`` (LOSO folds) with the configured executor (local or Ray), in order."""
    try:
        from engine.jobs.executors import get_executor
    except ImportError:
        return [fn(item) for item in items]
    return list(get_executor().map(fn, list(items), reporter=reporter))


def clips_for_training(session: Session, dataset_names: Sequence[str], labels: Sequence[str]) -> list[Clip]:
    """Labelled clips of the named datasets, ordered by id."""
    try:
        from db.queries import clips_for_training as real
    except ImportError:
        real = None
    if real is not None:
        return list(real(session, list(dataset_names), list(labels)))
    stmt = (
        select(Clip)
        .join(Dataset)
        .where(Dataset.name.in_(list(dataset_names)), Clip.label.in_(list(labels)))
        .order_by(Clip.id)
    )
    return list(session.scalars(stmt))


def catalog_snapshot(session: Session) -> str:
    """An id of the catalog's content, so a run records what it trained on."""
    try:
        from db.queries import catalog_snapshot as real
    except ImportError:
        real = None
    if real is not None:
        return str(real(session))
    rows = session.execute(select(Clip.id, Clip.label, Clip.onset, Clip.offset).order_by(Clip.id)).all()
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:16]


def resample(frames: np.ndarray, length: int, method: str = "linear") -> np.ndarray:
    """Resample (T, ...) frames to ``length`` steps along time (nearest or linear)."""
    try:
        from engine.preprocess.temporal import resample as real
    except ImportError:
        real = None
    if real is not None:
        return np.asarray(real(frames, length, method))
    frames = np.asarray(frames)
    pos = np.linspace(0, len(frames) - 1, length)
    if method == "nearest" or len(frames) == 1:
        return frames[np.rint(pos).astype(int)]
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, len(frames) - 1)
    w = (pos - lo).reshape(-1, *([1] * (frames.ndim - 1)))
    out = frames[lo].astype(np.float32) * (1 - w) + frames[hi].astype(np.float32) * w
    return np.clip(np.rint(out), 0, 255).astype(frames.dtype) if frames.dtype == np.uint8 else out
