"""The deletes a user asks for (``glimpse catalog delete``, ``engine.ingest.removal``): a dataset or some of
its clips, and the catalog copy of an archived run's predictions. Nothing else in Glimpse deletes rows of
results: an ingest marks vanished clips missing instead."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from db.schema import Annotation, Clip, Dataset, Frame, Prediction, Subject


def count_frames(session: Session, clip_ids: Sequence[int]) -> int:
    """How many frame rows the clips have."""
    return int(session.scalar(select(func.count()).where(Frame.clip_id.in_(list(clip_ids)))) or 0)


def count_annotations(session: Session, clip_ids: Sequence[int]) -> int:
    """How many annotations (every annotator's) the clips have."""
    return int(session.scalar(select(func.count()).where(Annotation.clip_id.in_(list(clip_ids)))) or 0)


def delete_predictions(session: Session, run_id: str) -> int:
    """Delete a run's prediction rows from the catalog; how many there were."""
    removed = session.scalar(select(func.count()).where(Prediction.run_id == run_id)) or 0
    session.execute(delete(Prediction).where(Prediction.run_id == run_id))
    return int(removed)


def delete_dataset(session: Session, dataset_id: int) -> None:
    """Delete a dataset row; its subjects, clips, frames and annotations go with it (ON DELETE CASCADE)."""
    session.execute(delete(Dataset).where(Dataset.id == dataset_id))


def delete_clips(session: Session, dataset_id: int, clip_ids: Sequence[int]) -> None:
    """Delete clips of a dataset (their frames and annotations cascade), then its subjects left without
    a clip."""
    session.execute(delete(Clip).where(Clip.id.in_(list(clip_ids))))
    session.execute(
        delete(Subject).where(
            Subject.dataset_id == dataset_id,
            ~Subject.id.in_(select(Clip.subject_id).where(Clip.dataset_id == dataset_id)),
        )
    )
