"""Annotations: every annotator's coding of a clip (as the viewer may see it), saving one's own,
FACS-grade agreement between coders (the table Review shows and exports, over the codings the viewer may
see) and apex suggestions."""

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from db import queries
from engine.annotate.agreement import Coding
from engine.annotate.apex import ApexSuggestion, suggest_from_features, suggest_from_frames
from engine.annotate.facs_agreement import (
    MIN_CLIPS,
    FacsAgreement,
    Statistic,
    agreement_csv,
    default_tolerance,
    facs_agreement,
    write_agreement_csv,
)
from engine.api.access import Actor, current, require_clip, visible
from engine.api.annotation_versions import Marks, save_marks
from engine.api.catalog import clip_detail
from engine.api.frames import face_crops
from engine.api.session import get_session
from engine.api.trajectories import trajectories

__all__ = [
    "MIN_CLIPS",
    "FacsAgreement",
    "Statistic",
    "agreement",
    "agreement_csv",
    "annotators",
    "clip_annotations",
    "codings",
    "default_tolerance",
    "export_agreement",
    "save_annotation",
    "suggest_apex",
    "suggest_apex_from_features",
]

ANNOTATION_COLUMNS = ["annotator", "onset", "apex", "offset", "action_units", "emotion", "label", "updated"]


def clip_annotations(viewer: Actor, clip_id: int) -> pd.DataFrame:
    """The codings of a clip ``viewer`` may see (the dataset's own, annotator ``source``, first): a table.
    A coder in an open blind assignment sees only their own."""
    with get_session() as session:
        fresh = require_clip(session, viewer, int(clip_id))
        rows = [
            (a.annotator, a.onset, a.apex, a.offset, a.action_units, a.emotion, a.label, a.updated_at)
            for a in queries.annotations_for(session, int(clip_id))
            if visible(session, fresh, int(clip_id), a.annotator)
        ]
    return pd.DataFrame(rows, columns=ANNOTATION_COLUMNS)


def annotators() -> list[str]:
    with get_session() as session:
        return queries.annotator_names(session)


def save_annotation(
    actor: Actor,
    clip_id: int,
    onset: int | None,
    apex: int | None,
    offset: int | None,
    action_units: str = "",
    emotion: str = "",
    notes: str = "",
    opened_version: int | None = None,
    overwrite: bool = False,
) -> int:
    """Create or update the actor's own annotation of a clip over ``opened_version``; its id.

    A versioned save (``annotation_versions.save_marks``): the label comes from the emotion through the
    dataset's MEGC 2019 mapping; a bad mark is a GlimpseError, a save over a newer version an
    AnnotationConflict, a role that may not code NotAllowed — nothing written in each case.
    """
    marks = Marks(onset, apex, offset, action_units, emotion, notes)
    return save_marks(actor, clip_id, marks, opened_version, overwrite=overwrite).id


def codings(viewer: Actor, dataset: str | None = None) -> list[Coding]:
    """The annotations ``viewer`` may see as agreement inputs, with their clip's frame rate (optionally
    of one dataset): a coder in an open blind assignment gets only their own codings of its clips."""
    with get_session() as session:
        fresh = current(session, viewer)
        return [
            Coding(a.clip_id, a.annotator, a.label, a.onset, a.apex, a.offset, a.action_units or "", fps)
            for a, fps in queries.annotations_with_rates(session, dataset)
            if visible(session, fresh, a.clip_id, a.annotator)
        ]


def agreement(
    viewer: Actor,
    coders: Sequence[str] | None = None,
    dataset: str | None = None,
    tolerance_frames: int | None = None,
) -> FacsAgreement:
    """FACS-grade agreement of ``coders`` (default: every annotator but the consensus), per pair and
    overall, over the codings ``viewer`` may see: AU ratio, per-AU Cohen's κ, onset/apex/offset within
    ±N frames (None: ±25 ms at each clip's frame rate), Krippendorff's α of labels; each with its clip
    count, "n/a" below its minimum."""
    return facs_agreement(codings(viewer, dataset), coders, tolerance_frames)


def export_agreement(
    viewer: Actor,
    path: Path,
    coders: Sequence[str] | None = None,
    dataset: str | None = None,
    tolerance_frames: int | None = None,
) -> Path:
    """Write ``agreement(...)`` as CSV to ``path`` (whole or not at all); the path written."""
    return write_agreement_csv(agreement(viewer, coders, dataset, tolerance_frames), path)


def suggest_apex(viewer: Actor, clip_id: int) -> ApexSuggestion:
    """Apex from the face-difference curve between onset and offset (cheap: reads cached/GT crops)."""
    detail = clip_detail(clip_id, viewer)
    faces = face_crops(clip_id)
    return suggest_from_frames(
        faces.crops, list(faces.frame_numbers), detail.onset, detail.offset, source=f"{faces.backend} crop"
    )


def suggest_apex_from_features(run_id: str, clip_id: int) -> ApexSuggestion:
    """Apex from a run's per-frame encoder features of the clip (distance to the first frame's)."""
    data = trajectories(run_id, clip_id)
    return suggest_from_features(data.features, list(data.frames))
