"""Datasets and clips: the tables and pickers of the Datasets and Clips pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import select

from db.schema import (
    Annotation,
    Clip,
    Dataset,
    Frame,
    Subject,
)
from db.session import default_url
from engine.api.session import get_clip, get_session


def catalog_location() -> str:
    """Where the catalog is (shown in the sidebar); passwords in URLs are hidden."""
    from sqlalchemy.engine import make_url

    return make_url(default_url()).render_as_string(hide_password=True)


# ---------------------------------------------------------------- datasets and clips


def datasets() -> pd.DataFrame:
    """One row per dataset: counts, fps, purpose, SYNTHETIC flag and label counts."""
    from db.queries import dataset_stats

    with get_session() as session:
        frame = pd.DataFrame(dataset_stats(session))
    if frame.empty:
        return pd.DataFrame(columns=["name", "format", "purpose", "synthetic", "clips", "subjects", "frames"])
    return frame.rename(columns={"is_synthetic": "synthetic"})


_CLIP_COLUMNS = [
    "id", "dataset", "subject", "name", "label", "emotion", "onset", "apex", "offset",
    "n_frames", "n_annotators", "agreement", "synthetic",
]  # fmt: skip


def clips(
    filters: dict[str, Any] | None = None, page: int = 0, page_size: int = 100
) -> tuple[pd.DataFrame, int]:
    """A page of clips and the total; filters: dataset, subject_id, label, annotator, min/max_agreement."""
    from db.queries import ClipFilter, list_clips

    f = {k: v for k, v in (filters or {}).items() if v not in (None, "", [])}
    flt = ClipFilter(
        dataset_names=[f["dataset"]] if "dataset" in f else (),
        subject_ids=[int(f["subject_id"])] if "subject_id" in f else (),
        labels=[f["label"]] if "label" in f else (),
        annotator=f.get("annotator"),
        min_agreement=f.get("min_agreement"),
        max_agreement=f.get("max_agreement"),
    )
    with get_session() as session:
        result = list_clips(session, flt, page, page_size)
    return pd.DataFrame(result.rows, columns=_CLIP_COLUMNS), result.total


def _clip_row(c: Clip) -> dict[str, Any]:
    return {
        "id": c.id,
        "dataset": c.dataset.name,
        "subject": c.subject.code,
        "name": c.name,
        "label": c.label,
        "emotion": c.emotion_raw,
        "onset": c.onset,
        "apex": c.apex,
        "offset": c.offset,
        "n_frames": c.n_frames,
        "n_annotators": c.n_annotators,
        "agreement": c.agreement,
        "synthetic": c.dataset.is_synthetic,
    }


def filter_options() -> dict[str, Any]:
    """Values the Clips filters offer: dataset names, subjects (id → "dataset/code"), labels, annotators."""
    with get_session() as session:
        subjects = session.execute(
            select(Subject.id, Dataset.name, Subject.code).join(Dataset).order_by(Dataset.name, Subject.code)
        ).all()
        return {
            "dataset": list(session.scalars(select(Dataset.name).order_by(Dataset.name))),
            "subject": {sid: f"{ds}/{code}" for sid, ds, code in subjects},
            "label": sorted({x for x in session.scalars(select(Clip.label).distinct()) if x}),
            "annotator": sorted(set(session.scalars(select(Annotation.annotator).distinct()))),
        }


def clip_names(clip_ids: Sequence[int]) -> dict[int, str]:
    """``dataset/subject/clip`` of each id (for pickers)."""
    with get_session() as session:
        rows = session.execute(
            select(Clip.id, Dataset.name, Subject.code, Clip.name)
            .join(Dataset, Dataset.id == Clip.dataset_id)
            .join(Subject, Subject.id == Clip.subject_id)
            .where(Clip.id.in_([int(c) for c in clip_ids]))
        ).all()
    return {cid: f"{ds}/{sub}/{name}" for cid, ds, sub, name in rows}


def clip_detail(clip_id: int) -> dict[str, Any]:
    """The clip's coding, its dataset, its frame numbers and everyone's annotations."""
    with get_session() as session:
        clip = get_clip(session, clip_id)
        numbers = list(
            session.scalars(select(Frame.number).where(Frame.clip_id == clip.id).order_by(Frame.index))
        )
        row = _clip_row(clip)
        row.update(
            fps=clip.fps or clip.dataset.fps,
            frame_numbers=numbers,
            action_units=clip.action_units,
            apex_estimated=clip.apex_estimated,
            dataset_format=clip.dataset.format,
        )
        return row
