"""Codings as the review page reads them from the catalog (one short transaction each)."""

from __future__ import annotations

from sqlalchemy import select

from db.schema import Annotation, Clip, Dataset
from db.session import default_url, session_scope
from engine.annotate.review import FullCoding


def full_codings(dataset: str | None = None, clip_id: int | None = None) -> list[FullCoding]:
    """Every annotation (optionally of one dataset or one clip), with emotion and AUs."""
    with session_scope(default_url()) as session:
        query = select(Annotation)
        if dataset:
            query = (
                query.join(Clip, Clip.id == Annotation.clip_id).join(Dataset).where(Dataset.name == dataset)
            )
        if clip_id is not None:
            query = query.where(Annotation.clip_id == int(clip_id))
        return [
            FullCoding(
                a.clip_id,
                a.annotator,
                a.onset,
                a.apex,
                a.offset,
                a.emotion or "",
                a.label,
                a.action_units or "",
            )
            for a in session.scalars(query.order_by(Annotation.clip_id, Annotation.annotator))
        ]
