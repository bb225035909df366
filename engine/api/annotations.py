"""Annotations: every annotator's coding of a clip, saving one, agreement and apex suggestions."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from db.schema import (
    Annotation,
    Clip,
    Dataset,
)
from engine.annotate.agreement import AgreementReport, Coding, agreement_report
from engine.annotate.apex import ApexSuggestion, suggest_from_features, suggest_from_frames
from engine.api.catalog import clip_detail
from engine.api.frames import clip_faces
from engine.api.session import get_clip, get_session
from engine.api.trajectories import trajectories
from engine.errors import GlimpseError

EMOTIONS = (
    "happiness",
    "surprise",
    "disgust",
    "repression",
    "anger",
    "contempt",
    "fear",
    "sadness",
    "others",
)
FACS_AUS = (1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 17, 20, 23, 24, 25, 26, 45)
AU_CHOICES = tuple(f"{side}{au}" for au in FACS_AUS for side in ("", "L", "R"))


def annotations(clip_id: int) -> pd.DataFrame:
    """Every annotator's coding of a clip (the dataset's own is annotator ``source``)."""
    with get_session() as session:
        rows = session.scalars(
            select(Annotation).where(Annotation.clip_id == int(clip_id)).order_by(Annotation.id)
        )
        data = [
            {
                "annotator": a.annotator,
                "onset": a.onset,
                "apex": a.apex,
                "offset": a.offset,
                "action_units": a.action_units,
                "emotion": a.emotion,
                "label": a.label,
                "updated": a.updated_at,
            }
            for a in rows
        ]
    return pd.DataFrame(
        data, columns=["annotator", "onset", "apex", "offset", "action_units", "emotion", "label", "updated"]
    )


def annotators() -> list[str]:
    with get_session() as session:
        return sorted(set(session.scalars(select(Annotation.annotator).distinct())))


def save_annotation(
    clip_id: int,
    annotator: str,
    onset: int | None,
    apex: int | None,
    offset: int | None,
    action_units: str = "",
    emotion: str = "",
    notes: str = "",
) -> int:
    """Create or update the one annotation of ``annotator`` on a clip; returns its id.

    The label is derived from the emotion with the dataset's MEGC 2019 mapping. ``db.queries`` refuses an
    empty name, marks outside the clip and onset ≤ apex ≤ offset violations (GlimpseError, nothing written).
    """
    from db.queries import save_annotation as _save
    from engine.ingest.labels import megc_label

    with get_session() as session:
        clip = get_clip(session, clip_id)
        label = megc_label(clip.dataset.format, emotion) if emotion else None
        row = _save(
            session,
            clip_id=int(clip_id),
            annotator=annotator,
            onset=onset,
            apex=apex,
            offset=offset,
            action_units=action_units,
            emotion=emotion,
            label=label,
            notes=notes,
        )
        return int(row.id)


def codings(dataset: str | None = None) -> list[Coding]:
    """All annotations as agreement inputs (optionally of one dataset)."""
    with get_session() as session:
        query = select(Annotation)
        if dataset:
            query = query.join(Clip).join(Dataset).where(Dataset.name == dataset)
        return [
            Coding(a.clip_id, a.annotator, a.label, a.onset, a.apex, a.offset) for a in session.scalars(query)
        ]


def agreement(annotator_a: str, annotator_b: str, dataset: str | None = None) -> AgreementReport:
    """Cohen's kappa, apex distance and IoU of two annotators; Fleiss' kappa over clips with >= 3."""
    if annotator_a == annotator_b:
        raise GlimpseError("pick two different annotators")
    return agreement_report(codings(dataset), annotator_a, annotator_b)


def suggest_apex(clip_id: int) -> ApexSuggestion:
    """Apex from the face-difference curve between onset and offset (cheap: reads cached/GT crops)."""
    detail = clip_detail(clip_id)
    faces = clip_faces(clip_id)
    return suggest_from_frames(
        faces["crops"],
        faces["frame_numbers"],
        detail["onset"],
        detail["offset"],
        source=f"{faces['backend']} crop",
    )


def suggest_apex_from_features(run_id: str, clip_id: int) -> ApexSuggestion:
    data = trajectories(run_id, clip_id)
    return suggest_from_features(data["features"], data["frames"])
