"""Datasets and clips: what the Datasets and Clips pages show, and the clip every other page opens."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy.orm import Session

from db import queries
from db.schema import RECORDING
from engine.api.access import Actor, blind_to, require_clip
from engine.api.session import get_clip, get_session


@dataclass(frozen=True)
class DatasetSummary:
    """One dataset's card on the Datasets page."""

    id: int
    name: str
    format: str
    purpose: str
    synthetic: bool
    fps: float | None
    clips: int
    subjects: int
    frames: int
    labels: Mapping[str, int]  # label (or "unlabelled") → clip count
    root: str
    missing: int = 0  # clips gone from the source, kept with their annotations and predictions


@dataclass(frozen=True)
class ClipQuery:
    """What the Clips page filters on; None does not filter."""

    dataset: str | None = None
    subject_id: int | None = None
    label: str | None = None
    annotator: str | None = None
    min_majority: float | None = None  # bounds of the clip's majority share (fraction of annotators)
    max_majority: float | None = None


@dataclass(frozen=True)
class ClipFilterOptions:
    """Values the Clips filters offer."""

    datasets: tuple[str, ...]
    subjects: Mapping[int, str]  # subject id → "dataset/code"
    labels: tuple[str, ...]
    annotators: tuple[str, ...]


@dataclass(frozen=True)
class ClipDetail:
    """A clip's coding, its dataset and its frame numbers (in order)."""

    id: int
    dataset: str
    dataset_format: str
    subject: str
    name: str
    label: str | None
    emotion: str
    onset: int | None
    apex: int | None
    offset: int | None
    apex_estimated: bool
    action_units: str
    n_frames: int
    n_annotators: int
    majority_share: float | None
    synthetic: bool
    fps: float | None
    frame_numbers: tuple[int, ...]
    kind: str = "micro"  # micro | macro | image | recording (a long video coded as intervals, no one label)
    coding_hidden: bool = False  # the release's coding withheld from this viewer (a blind assignment)

    @property
    def is_recording(self) -> bool:
        return self.kind == RECORDING

    @property
    def marks(self) -> dict[str, int | None]:
        """onset / apex / offset, as the timeline and trajectory plots take them."""
        return {"onset": self.onset, "apex": self.apex, "offset": self.offset}


CLIP_COLUMNS = [
    "id", "dataset", "subject", "name", "missing_since", "label", "emotion", "onset", "apex", "offset",
    "n_frames", "n_annotators", "majority_share", "synthetic",
]  # fmt: skip


def datasets() -> list[DatasetSummary]:
    """Every dataset with its counts, fps, purpose, SYNTHETIC flag and label counts."""
    with get_session() as session:
        stats = queries.dataset_stats(session)
    return [
        DatasetSummary(
            id=s["id"],
            name=s["name"],
            format=s["format"],
            purpose=s["purpose"],
            synthetic=bool(s["is_synthetic"]),
            fps=s["fps"],
            clips=s["clips"],
            subjects=s["subjects"],
            frames=s["frames"],
            labels=s["labels"],
            root=s["root"],
            missing=int(s.get("missing", 0)),
        )
        for s in stats
    ]


def clips(query: ClipQuery = ClipQuery(), page: int = 0, page_size: int = 100) -> tuple[pd.DataFrame, int]:
    """A page of clips (a table) and the total number that match."""
    flt = queries.ClipFilter(
        dataset_names=[query.dataset] if query.dataset else (),
        subject_ids=[int(query.subject_id)] if query.subject_id is not None else (),
        labels=[query.label] if query.label else (),
        annotator=query.annotator or None,
        min_majority=query.min_majority,
        max_majority=query.max_majority,
    )
    with get_session() as session:
        result = queries.list_clips(session, flt, page, page_size)
    return pd.DataFrame(result.rows, columns=CLIP_COLUMNS), result.total


def filter_options() -> ClipFilterOptions:
    with get_session() as session:
        return ClipFilterOptions(
            datasets=tuple(queries.dataset_names(session)),
            subjects=queries.subject_names(session),
            labels=tuple(queries.clip_labels(session)),
            annotators=tuple(queries.annotator_names(session)),
        )


def clip_names(clip_ids: Sequence[int] | None = None) -> dict[int, str]:
    """``dataset/subject/clip`` of each id (for pickers); of every clip, in id order, without ids."""
    with get_session() as session:
        return queries.clip_names(session, clip_ids)


def clip_stamp() -> tuple[int, int]:
    """(number of clips, highest id): what a page keys its cached clip list on."""
    with get_session() as session:
        return queries.clip_stamp(session)


def clip_detail(clip_id: int, viewer: Actor) -> ClipDetail:
    """The clip as ``viewer`` may see it: a coder may open only clips assigned to them, and while the
    assignment is blind the release's coding (label, emotion, marks, AUs) comes back empty."""
    with get_session() as session:
        fresh = require_clip(session, viewer, int(clip_id))
        detail = release_detail(session, int(clip_id))
        if blind_to(session, fresh, int(clip_id)):
            detail = replace(
                detail, label=None, emotion="", onset=None, apex=None, offset=None, action_units="",
                apex_estimated=False, n_annotators=0, majority_share=None, coding_hidden=True,
            )  # fmt: skip
        return detail


def release_detail(session: Session, clip_id: int) -> ClipDetail:
    """The clip with the release's own coding, for the facade's own use (no viewer rule applied)."""
    clip = get_clip(session, clip_id)
    return ClipDetail(
        id=clip.id,
        dataset=clip.dataset.name,
        dataset_format=clip.dataset.format,
        subject=clip.subject.code,
        name=clip.name,
        label=clip.label,
        emotion=clip.emotion_raw,
        onset=clip.onset,
        apex=clip.apex,
        offset=clip.offset,
        apex_estimated=bool(clip.apex_estimated),
        action_units=clip.action_units or "",
        n_frames=clip.n_frames,
        n_annotators=clip.n_annotators,
        majority_share=clip.agreement,
        synthetic=bool(clip.dataset.is_synthetic),
        fps=clip.fps or clip.dataset.fps,
        frame_numbers=tuple(n for n, _ in queries.frame_listing(session, clip.id)),
        kind=clip.kind,
    )
