"""Clips and their frames: the filtered clip page, clips for training, names, labels, frame paths.

Filtered pages lean on the ``ix_clips_dataset_*`` indexes (dataset first, then label / subject / majority
share / annotator count, then id for ordering), so a page of 100 from 100k clips stays interactive. A clip
gone from its source is kept and marked (``missing_since``), never deleted: ``CLIP_PRESENT`` is the
condition every query for files to read adds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.orm import Session, joinedload

from db.schema import (
    RECORDING,
    Annotation,
    Clip,
    Dataset,
    Frame,
    Subject,
)

CLIP_PRESENT = Clip.missing_since.is_(None)
CLIP_MISSING = Clip.missing_since.is_not(None)


_S = TypeVar("_S", bound=Select[*tuple[Any, ...]])  # any SELECT; _apply keeps its type


@dataclass(frozen=True)
class ClipFilter:
    """What the clip browser filters on; empty / None fields do not filter."""

    dataset_ids: Sequence[int] = ()
    subject_ids: Sequence[int] = ()
    labels: Sequence[str] = ()
    kinds: Sequence[str] = ()
    annotator: str | None = None  # clips this annotator has annotated
    min_majority: float | None = None  # bounds of the clip's majority share (see ``majority_share``)
    max_majority: float | None = None
    min_annotators: int | None = None
    text: str | None = None  # substring of the clip name
    dataset_names: Sequence[str] = ()
    unlabelled: bool = False  # also include clips with label None when ``labels`` is set
    missing: bool | None = None  # True: only clips gone from their source; False: only present ones


@dataclass
class ClipPage:
    rows: list[dict[str, Any]]
    total: int
    page: int = 0
    page_size: int = 100
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def items(self) -> list[dict[str, Any]]:
        return self.rows

    @property
    def n_pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


_PAGE_COLUMNS = (
    Clip.id,
    Clip.dataset_id,
    Dataset.name.label("dataset"),
    Clip.subject_id,
    Subject.code.label("subject"),
    Clip.name,
    Clip.path,
    Clip.kind,
    Clip.fps,
    Clip.n_frames,
    Clip.first_frame,
    Clip.last_frame,
    Clip.onset,
    Clip.apex,
    Clip.offset,
    Clip.apex_estimated,
    Clip.action_units,
    Clip.emotion_raw,
    Clip.label,
    Clip.n_annotators,
    Clip.agreement.label("majority_share"),
    Dataset.is_synthetic.label("synthetic"),
    Clip.missing_since,
)


def _apply(stmt: _S, flt: ClipFilter) -> _S:
    conditions: list[ColumnElement[bool]] = []
    if flt.dataset_ids:
        conditions.append(Clip.dataset_id.in_(list(flt.dataset_ids)))
    if flt.dataset_names:
        conditions.append(
            Clip.dataset_id.in_(select(Dataset.id).where(Dataset.name.in_(list(flt.dataset_names))))
        )
    if flt.subject_ids:
        conditions.append(Clip.subject_id.in_(list(flt.subject_ids)))
    if flt.labels:
        condition = Clip.label.in_(list(flt.labels))
        conditions.append(condition | Clip.label.is_(None) if flt.unlabelled else condition)
    if flt.kinds:
        conditions.append(Clip.kind.in_(list(flt.kinds)))
    if flt.min_majority is not None:
        conditions.append(Clip.agreement >= flt.min_majority)
    if flt.max_majority is not None:
        conditions.append(Clip.agreement <= flt.max_majority)
    if flt.min_annotators is not None:
        conditions.append(Clip.n_annotators >= flt.min_annotators)
    if flt.annotator:
        conditions.append(
            exists().where(and_(Annotation.clip_id == Clip.id, Annotation.annotator == flt.annotator))
        )
    if flt.text:
        conditions.append(Clip.name.contains(flt.text.strip(), autoescape=True))
    if flt.missing is not None:
        conditions.append(CLIP_MISSING if flt.missing else CLIP_PRESENT)
    return stmt.where(*conditions) if conditions else stmt


def list_clips(
    session: Session, flt: ClipFilter | None = None, page: int = 0, page_size: int = 100
) -> ClipPage:
    """One page of clips (ordered by id) matching ``flt``, as plain dicts, plus the total match count."""
    flt = flt or ClipFilter()
    page, page_size = max(0, int(page)), max(1, int(page_size))
    total = session.scalar(_apply(select(func.count()).select_from(Clip), flt)) or 0
    stmt = (
        _apply(select(*_PAGE_COLUMNS).join(Dataset, Dataset.id == Clip.dataset_id), flt)
        .join(Subject, Subject.id == Clip.subject_id)
        .order_by(Clip.id)
        .limit(page_size)
        .offset(page * page_size)
    )
    rows = []
    for row in session.execute(stmt):
        item = dict(row._mapping)
        item["emotion"] = item["emotion_raw"]
        rows.append(item)
    return ClipPage(rows=rows, total=int(total), page=page, page_size=page_size)


def find_clip(session: Session, dataset_id: int, subject_id: int, name: str) -> Clip | None:
    stmt = select(Clip).where(Clip.dataset_id == dataset_id, Clip.subject_id == subject_id, Clip.name == name)
    return session.scalar(stmt)


def clip_frames(session: Session, clip_id: int) -> list[Frame]:
    """The frames of a clip in order (index 0 first)."""
    return list(session.scalars(select(Frame).where(Frame.clip_id == clip_id).order_by(Frame.index)))


def frame_listing(session: Session, clip_id: int) -> list[tuple[int, str]]:
    """(frame number, dataset-relative path) of a clip's frames in order — plain rows, no ORM objects, so
    a 24,000-frame recording lists in milliseconds (the player and its frame windows)."""
    stmt = select(Frame.number, Frame.path).where(Frame.clip_id == clip_id).order_by(Frame.index)
    return [(int(n), str(p)) for n, p in session.execute(stmt)]


def clips_for_training(session: Session, dataset_names: Sequence[str], labels: Sequence[str]) -> list[Clip]:
    """Labelled clips (label in ``labels``) of the named datasets, ordered by dataset, then id; clips
    missing from their source are left out (their files are gone)."""
    stmt = (
        select(Clip)
        .join(Dataset, Dataset.id == Clip.dataset_id)
        .where(Dataset.name.in_(list(dataset_names)), Clip.label.in_(list(labels)), CLIP_PRESENT)
        .order_by(Dataset.name, Clip.id)
    )
    return list(session.scalars(stmt))


def dataset_clips(session: Session, dataset_names: Sequence[str]) -> list[Clip]:
    """Every present short clip (not a recording) of the named datasets, labelled or not, in the order of
    ``clips_for_training``: what a label source other than the release's may label."""
    stmt = (
        select(Clip)
        .join(Dataset, Dataset.id == Clip.dataset_id)
        .where(Dataset.name.in_(list(dataset_names)), Clip.kind != RECORDING, CLIP_PRESENT)
        .order_by(Dataset.name, Clip.id)
    )
    return list(session.scalars(stmt))


def clip_labels(session: Session) -> list[str]:
    """The labels clips carry (sorted, unlabelled left out)."""
    return sorted({x for x in session.scalars(select(Clip.label).distinct()) if x})


def clip_names(session: Session, clip_ids: Sequence[int] | None = None) -> dict[int, str]:
    """``dataset/subject/clip`` of each id (of every clip, in id order, when ``clip_ids`` is None)."""
    stmt = (
        select(Clip.id, Dataset.name, Subject.code, Clip.name)
        .join(Dataset, Dataset.id == Clip.dataset_id)
        .join(Subject, Subject.id == Clip.subject_id)
        .order_by(Clip.id)
    )
    if clip_ids is not None:
        stmt = stmt.where(Clip.id.in_([int(c) for c in clip_ids]))
    return {cid: f"{ds}/{sub}/{name}" for cid, ds, sub, name in session.execute(stmt)}


def clip_stamp(session: Session) -> tuple[int, int]:
    """(number of clips, highest clip id): changes when clips are added or deleted, so a page can keep
    its clip list cached until then (one indexed aggregate, a millisecond)."""
    count, top = session.execute(select(func.count(Clip.id), func.max(Clip.id))).one()
    return int(count or 0), int(top or 0)


def frame_path(session: Session, clip_id: int, number: int) -> str | None:
    """The stored (dataset-relative) path of a clip's frame ``number``; None when it has no such frame."""
    return session.scalar(select(Frame.path).where(Frame.clip_id == clip_id, Frame.number == int(number)))


def labels_of_clips(session: Session, clip_ids: Sequence[int]) -> dict[int, str | None]:
    """clip id → its release label (the clip row's)."""
    rows = session.execute(select(Clip.id, Clip.label).where(Clip.id.in_(list(clip_ids))))
    return {int(clip_id): label for clip_id, label in rows}


def clip_ids_of_dataset(session: Session, dataset_id: int) -> list[int]:
    """The ids of every clip of a dataset, missing ones too."""
    return list(session.scalars(select(Clip.id).where(Clip.dataset_id == dataset_id)))


def clips_named(
    session: Session, dataset_id: int, name: str, subject: str | None = None
) -> list[tuple[Clip, str]]:
    """(clip, subject code) of the dataset's clips called ``name`` (of subject ``subject`` when given),
    by subject code: one clip name may recur across subjects."""
    stmt = (
        select(Clip, Subject.code)
        .join(Subject, Subject.id == Clip.subject_id)
        .where(Clip.dataset_id == dataset_id, Clip.name == name)
    )
    if subject is not None:
        stmt = stmt.where(Subject.code == subject)
    return [(clip, str(code)) for clip, code in session.execute(stmt.order_by(Subject.code)).all()]


def present_clips_with_subjects(session: Session, dataset_names: Sequence[str]) -> list[Clip]:
    """Every present clip of the named datasets, by id, with its dataset and subject loaded (one query)."""
    stmt = (
        select(Clip)
        .join(Dataset, Dataset.id == Clip.dataset_id)
        .where(Dataset.name.in_(list(dataset_names)), CLIP_PRESENT)
        .options(joinedload(Clip.dataset), joinedload(Clip.subject))
        .order_by(Clip.id)
    )
    return list(session.scalars(stmt))


def clip_ids_of(session: Session, dataset_id: int, subject_ids: Sequence[int] = ()) -> list[int]:
    """Present clips of a dataset (optionally of some subjects), by id."""
    stmt = select(Clip.id).where(Clip.dataset_id == int(dataset_id), CLIP_PRESENT)
    if subject_ids:
        stmt = stmt.where(Clip.subject_id.in_([int(s) for s in subject_ids]))
    return list(session.scalars(stmt.order_by(Clip.id)))


def frame_rows_of_dataset(session: Session, dataset_id: int) -> int:
    """How many frame rows the clips of a dataset have (missing clips' too)."""
    stmt = (
        select(func.count(Frame.id)).join(Clip, Frame.clip_id == Clip.id).where(Clip.dataset_id == dataset_id)
    )
    return int(session.scalar(stmt) or 0)


def present_clip_frames(session: Session, dataset_id: int) -> list[tuple[Clip, Frame]]:
    """(clip, frame) of every frame of the dataset's present clips, by clip id then frame index."""
    stmt = (
        select(Clip, Frame)
        .join(Frame, Frame.clip_id == Clip.id)
        .where(Clip.dataset_id == dataset_id, CLIP_PRESENT)
        .order_by(Clip.id, Frame.index)
    )
    return [(clip, frame) for clip, frame in session.execute(stmt).tuples()]
