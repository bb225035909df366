"""Face-crop rows (``engine.preprocess.cache``): whether a clip's crops for one cache key are recorded,
and which face backends produced a dataset's crops."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.schema import Clip, FaceCrop


def face_crop_recorded(session: Session, clip_id: int, cache_key: str) -> bool:
    """Whether the clip's crops for ``cache_key`` have their FaceCrop row already."""
    stmt = select(FaceCrop.id).where(FaceCrop.clip_id == clip_id, FaceCrop.cache_key == cache_key)
    return session.scalar(stmt) is not None


def crop_backends(session: Session, dataset_id: int) -> dict[str, int]:
    """backend → number of clips with crops from it, for the UI's "which backend produced these"."""
    rows = session.execute(
        select(FaceCrop.backend, func.count(func.distinct(FaceCrop.clip_id)))
        .join(Clip, Clip.id == FaceCrop.clip_id)
        .where(Clip.dataset_id == dataset_id)
        .group_by(FaceCrop.backend)
    )
    return {backend: int(n) for backend, n in rows}
