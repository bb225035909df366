"""Datasets and subjects: lookups by name, per-dataset statistics, the catalog snapshot a run records."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.errors import GlimpseError
from db.queries.clips import CLIP_MISSING, CLIP_PRESENT
from db.schema import (
    Annotation,
    Clip,
    Dataset,
    Subject,
)


def dataset_names(session: Session) -> list[str]:
    return list(session.scalars(select(Dataset.name).order_by(Dataset.name)))


def dataset_named(session: Session, name: str) -> Dataset:
    """The dataset called ``name``, or a GlimpseError listing the known names."""
    dataset = find_dataset(session, name)
    if dataset is None:
        known = ", ".join(dataset_names(session)) or "none yet"
        raise GlimpseError(f"no dataset named {name!r}", hint=f"known: {known}")
    return dataset


def subject_names(session: Session) -> dict[int, str]:
    """Subject id → ``dataset/code``, ordered by dataset then code."""
    rows = session.execute(
        select(Subject.id, Dataset.name, Subject.code).join(Dataset).order_by(Dataset.name, Subject.code)
    ).all()
    return {sid: f"{ds}/{code}" for sid, ds, code in rows}


def find_dataset(session: Session, name: str) -> Dataset | None:
    return session.scalar(select(Dataset).where(Dataset.name == name))


def find_subject(session: Session, dataset_id: int, code: str) -> Subject | None:
    return session.scalar(select(Subject).where(Subject.dataset_id == dataset_id, Subject.code == code))


def dataset_stats(session: Session) -> list[dict[str, Any]]:
    """Per dataset: clips, subjects, frames, label counts, fps, purpose, synthetic flag (one query each).

    Counts are of the clips present in the source; ``missing`` counts those kept after they vanished.
    """
    per_clip = dict(
        (r.dataset_id, r)
        for r in session.execute(
            select(
                Clip.dataset_id,
                func.count(Clip.id).label("clips"),
                func.coalesce(func.sum(Clip.n_frames), 0).label("frames"),
                func.count(func.distinct(Clip.subject_id)).label("subjects"),
            )
            .where(CLIP_PRESENT)
            .group_by(Clip.dataset_id)
        )
    )
    missing = missing_counts(session)
    labels: dict[int, dict[str, int]] = {}
    for dataset_id, label, count in session.execute(
        select(Clip.dataset_id, Clip.label, func.count(Clip.id))
        .where(CLIP_PRESENT)
        .group_by(Clip.dataset_id, Clip.label)
    ):
        labels.setdefault(dataset_id, {})[label or "unlabelled"] = count
    out = []
    for ds in session.scalars(select(Dataset).order_by(Dataset.id)):
        agg = per_clip.get(ds.id)
        out.append(
            {
                "id": ds.id,
                "name": ds.name,
                "format": ds.format,
                "purpose": ds.purpose,
                "is_synthetic": ds.is_synthetic,
                "fps": ds.fps,
                "clips": agg.clips if agg else 0,
                "subjects": agg.subjects if agg else 0,
                "frames": int(agg.frames) if agg else 0,
                "missing": missing.get(ds.id, 0),
                "labels": dict(sorted(labels.get(ds.id, {}).items())),
                "root": ds.root,
            }
        )
    return out


def missing_counts(session: Session) -> dict[int, int]:
    """dataset id → how many of its clips are missing from the source (datasets with none left out)."""
    rows = session.execute(
        select(Clip.dataset_id, func.count(Clip.id)).where(CLIP_MISSING).group_by(Clip.dataset_id)
    )
    return {dataset_id: int(n) for dataset_id, n in rows}


def catalog_snapshot(session: Session) -> str:
    """A short hash of what training could see: dataset names, present clips' ids and labels, latest
    annotation time (a clip going missing changes it)."""
    digest = hashlib.sha256()
    for (name,) in session.execute(select(Dataset.name).order_by(Dataset.name)):
        digest.update(f"d:{name};".encode())
    for clip_id, label in session.execute(select(Clip.id, Clip.label).where(CLIP_PRESENT).order_by(Clip.id)):
        digest.update(f"{clip_id}:{label};".encode())
    latest = session.scalar(select(func.max(Annotation.updated_at)))
    digest.update(f"a:{latest}".encode())
    return digest.hexdigest()[:16]


def datasets_named(session: Session, names: Sequence[str]) -> list[Dataset]:
    """The datasets of these names that exist (unknown names left out), by name."""
    stmt = select(Dataset).where(Dataset.name.in_(list(names))).order_by(Dataset.name)
    return list(session.scalars(stmt))


def names_of_datasets(session: Session, dataset_ids: Sequence[int]) -> list[str]:
    """The names of these datasets, sorted."""
    stmt = select(Dataset.name).where(Dataset.id.in_(list(dataset_ids))).order_by(Dataset.name)
    return list(session.scalars(stmt))
