"""Catalog queries the workbench and training call: filtered clip pages, dataset stats, annotations,
runs and their metrics, predictions and artefacts.

Every SELECT the facade (``engine.api``) needs lives here, so the facade stays a thin layer of typed
results over these functions. Filtered pages lean on the ``ix_clips_dataset_*`` indexes (dataset first,
then label / subject / majority share / annotator count, then id for ordering), so a page of 100 from
100k clips stays interactive.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.errors import AnnotationConflict, GlimpseError
from db.people import checked_name
from db.schema import (
    INTERVAL_TYPES,
    RECORDING,
    SOURCE_ANNOTATOR,
    Annotation,
    AnnotationVersion,
    Artifact,
    Clip,
    Dataset,
    Frame,
    Interval,
    Metric,
    Prediction,
    Run,
    Subject,
    utcnow,
)

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


def majority_share(labels: Sequence[str | None]) -> float | None:
    """Fraction of annotators agreeing with the majority label; None with fewer than two annotators.

    Stored as ``Clip.agreement`` and filtered on by the Clips page. Not a chance-corrected agreement:
    Cohen's and Fleiss' kappa between annotators are ``engine.annotate.agreement``'s job.
    """
    if len(labels) < 2:
        return None
    counts = Counter(str(label) for label in labels)
    return round(max(counts.values()) / len(labels), 4)


def refresh_majority_share(session: Session, clip: Clip) -> None:
    """Recompute ``n_annotators`` and the majority share (``agreement``) of one clip from its annotations."""
    labels = list(session.scalars(select(Annotation.label).where(Annotation.clip_id == clip.id)))
    clip.n_annotators = len(labels)
    clip.agreement = majority_share(labels)


def _checked_annotator(annotator: str | None) -> str:
    """The trimmed annotator name a user save may use: a valid name (``db.people.checked_name``: length,
    characters), not the dataset's own ``source``."""
    annotator = checked_name(annotator, "annotator name")
    if annotator == SOURCE_ANNOTATOR:
        raise GlimpseError("'source' is the dataset's own coding", hint="annotate under your own name")
    return annotator


def _check_marks(
    clip: Clip, onset: int | None, apex: int | None, offset: int | None, owner: str, where: str
) -> None:
    """Marks given must lie in the clip's frame numbers and satisfy onset ≤ apex ≤ offset; the error names
    the mark (``owner`` words it: "clip's" / "recording's")."""
    marks = [(n, v) for n, v in (("onset", onset), ("apex", apex), ("offset", offset)) if v is not None]
    lo, hi = clip.first_frame, clip.last_frame
    for name, value in marks:
        if lo is not None and hi is not None and not lo <= value <= hi:
            raise GlimpseError(f"{name} {value} is outside the {owner} frames {lo}–{hi}", where=where)
    for (n1, v1), (n2, v2) in zip(marks, marks[1:], strict=False):
        if v1 > v2:
            raise GlimpseError(f"{n1} {v1} is after {n2} {v2}", where=where, hint="onset ≤ apex ≤ offset")


def save_annotation(
    session: Session,
    clip_id: int,
    annotator: str,
    onset: int | None,
    apex: int | None,
    offset: int | None,
    action_units: str = "",
    emotion: str = "",
    label: str | None = None,
    notes: str = "",
    *,
    opened_version: int | None = None,
    overwrite: bool = False,
    saved_by: str | None = None,
    provenance: dict[str, Any] | None = None,
) -> Annotation:
    """Upsert ``annotator``'s annotation of a clip (one row per annotator); refresh its majority share.

    Flushes, does not commit: the caller's transaction decides. Marks must satisfy onset ≤ apex ≤ offset
    inside the clip's frame numbers, else a GlimpseError says which mark is wrong. ``opened_version`` is
    the version the caller opened (None: there was no annotation of theirs); a row saved since raises
    AnnotationConflict unless ``overwrite`` (see the versioned-writes block below).
    """
    clip = session.get(Clip, clip_id)
    if clip is None:
        raise GlimpseError(f"clip {clip_id} does not exist", hint="reload the clip list")
    annotator = _checked_annotator(annotator)
    _check_marks(clip, onset, apex, offset, "clip's", f"clip {clip_id} ({clip.name})")
    values = {
        "onset": onset,
        "apex": apex,
        "offset": offset,
        "action_units": action_units or "",
        "emotion": emotion or "",
        "label": label,
        "notes": notes or "",
        "updated_by": checked_name(saved_by, "saver's name") if saved_by else annotator,
        "provenance": provenance,
    }
    ann = write_versioned_annotation(session, clip, annotator, values, opened_version, overwrite)
    refresh_majority_share(session, clip)
    session.flush()
    return ann


def annotations_for(session: Session, clip_id: int) -> list[Annotation]:
    """Every annotation of a clip, the dataset's own (``source``) first, then by annotator."""
    rows = session.scalars(
        select(Annotation).where(Annotation.clip_id == clip_id).order_by(Annotation.annotator)
    )
    return sorted(rows, key=lambda a: (a.annotator != SOURCE_ANNOTATOR, a.annotator))


# ---------------------------------------------------------------- pickers and frames


def dataset_names(session: Session) -> list[str]:
    return list(session.scalars(select(Dataset.name).order_by(Dataset.name)))


def dataset_named(session: Session, name: str) -> Dataset:
    """The dataset called ``name``, or a GlimpseError listing the known names."""
    dataset = session.scalar(select(Dataset).where(Dataset.name == name))
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


def clip_labels(session: Session) -> list[str]:
    """The labels clips carry (sorted, unlabelled left out)."""
    return sorted({x for x in session.scalars(select(Clip.label).distinct()) if x})


def annotator_names(session: Session) -> list[str]:
    return sorted(set(session.scalars(select(Annotation.annotator).distinct())))


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


def annotations_of(session: Session, dataset: str | None = None) -> list[Annotation]:
    """Every annotation (optionally of one dataset's clips), in id order."""
    query = select(Annotation).order_by(Annotation.id)
    if dataset:
        query = query.join(Clip).join(Dataset).where(Dataset.name == dataset)
    return list(session.scalars(query))


def annotations_with_rates(
    session: Session, dataset: str | None = None
) -> list[tuple[Annotation, float | None]]:
    """Every annotation (optionally of one dataset's clips) with its clip's frame rate, in id order."""
    query = select(Annotation, Clip.fps).join(Clip, Clip.id == Annotation.clip_id).order_by(Annotation.id)
    if dataset:
        query = query.join(Dataset, Dataset.id == Clip.dataset_id).where(Dataset.name == dataset)
    return [(annotation, fps) for annotation, fps in session.execute(query).all()]


# ---------------------------------------------------------------- runs, metrics, predictions, artefacts


def list_runs(session: Session, limit: int = 200) -> list[Run]:
    """Runs, newest first."""
    return list(session.scalars(select(Run).order_by(Run.created_at.desc(), Run.id).limit(limit)))


def child_runs(session: Session, parent_id: str) -> list[Run]:
    """The runs of an ablation (its children), oldest first."""
    return list(
        session.scalars(select(Run).where(Run.parent_id == parent_id).order_by(Run.created_at, Run.id))
    )


def runs_of_job(session: Session, job_id: int) -> list[Run]:
    """The runs a job created (an ablation's parent and its children; a training run), oldest first."""
    return list(session.scalars(select(Run).where(Run.job_id == job_id).order_by(Run.created_at, Run.id)))


def overall_metrics(session: Session, run_ids: Sequence[str]) -> dict[str, dict[str, float]]:
    """run id → {metric name → value} of the pooled (``overall``) scope."""
    rows = session.execute(
        select(Metric.run_id, Metric.name, Metric.value).where(
            Metric.run_id.in_(list(run_ids)), Metric.scope == "overall"
        )
    )
    out: dict[str, dict[str, float]] = {}
    for run_id, name, value in rows:
        out.setdefault(run_id, {})[name] = value
    return out


def run_metrics(session: Session, run_ids: Sequence[str]) -> list[tuple[str, str, str, float]]:
    """(run id, scope, name, value) of every metric of the runs, in insertion order."""
    rows = session.execute(
        select(Metric.run_id, Metric.scope, Metric.name, Metric.value)
        .where(Metric.run_id.in_(list(run_ids)))
        .order_by(Metric.id)
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


def run_predictions(session: Session, run_id: str) -> list[tuple[str, str, str]]:
    """(truth, predicted, fold) of every prediction of a run."""
    rows = session.execute(
        select(Prediction.truth, Prediction.predicted, Prediction.fold).where(Prediction.run_id == run_id)
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


def predictions_of(session: Session, run_id: str) -> list[Prediction]:
    """Every stored prediction of a run, by clip id (read-only: a finished run's results never change)."""
    return list(
        session.scalars(select(Prediction).where(Prediction.run_id == run_id).order_by(Prediction.clip_id))
    )


def labels_of_clips(session: Session, clip_ids: Sequence[int]) -> dict[int, str | None]:
    """clip id → its release label (the clip row's)."""
    rows = session.execute(select(Clip.id, Clip.label).where(Clip.id.in_(list(clip_ids))))
    return {int(clip_id): label for clip_id, label in rows}


def annotations_on(session: Session, clip_ids: Sequence[int]) -> list[Annotation]:
    """Every annotation of the given clips, in id order."""
    ids = list(clip_ids)
    return list(
        session.scalars(select(Annotation).where(Annotation.clip_id.in_(ids)).order_by(Annotation.id))
    )


def cell_predictions(session: Session, run_id: str, truth: str, predicted: str) -> list[tuple[Any, ...]]:
    """(clip id, dataset, subject, clip, fold, truth, predicted) behind one confusion-matrix cell."""
    rows = session.execute(
        select(
            Clip.id,
            Dataset.name,
            Subject.code,
            Clip.name,
            Prediction.fold,
            Prediction.truth,
            Prediction.predicted,
        )
        .join(Prediction, Prediction.clip_id == Clip.id)
        .join(Dataset, Dataset.id == Clip.dataset_id)
        .join(Subject, Subject.id == Clip.subject_id)
        .where(Prediction.run_id == run_id, Prediction.truth == truth, Prediction.predicted == predicted)
        .order_by(Clip.id)
    )
    return [tuple(r) for r in rows]


def artifacts_of_kind(session: Session, kinds: Sequence[str], run_id: str | None = None) -> list[Artifact]:
    """Artefacts whose ``kind`` is one of ``kinds`` (of one run, or of every run), in id order."""
    query = select(Artifact).where(Artifact.kind.in_(list(kinds)), Artifact.run_id.is_not(None))
    if run_id is not None:
        query = query.where(Artifact.run_id == run_id)
    return list(session.scalars(query.order_by(Artifact.id)))


# ---------------------------------------------------------------- missing clips and the runs that name clips
# (h10a, issue 10: results are immutable; a clip gone from its source is kept and marked, never deleted)

CLIP_PRESENT = Clip.missing_since.is_(None)
CLIP_MISSING = Clip.missing_since.is_not(None)


def missing_counts(session: Session) -> dict[int, int]:
    """dataset id → how many of its clips are missing from the source (datasets with none left out)."""
    rows = session.execute(
        select(Clip.dataset_id, func.count(Clip.id)).where(CLIP_MISSING).group_by(Clip.dataset_id)
    )
    return {dataset_id: int(n) for dataset_id, n in rows}


def runs_with_predictions_on(session: Session, clip_ids: Sequence[int]) -> list[Run]:
    """Runs holding a prediction for any of ``clip_ids``, oldest first."""
    if not clip_ids:
        return []
    run_ids = select(Prediction.run_id).where(Prediction.clip_id.in_(list(clip_ids))).distinct()
    return list(session.scalars(select(Run).where(Run.id.in_(run_ids)).order_by(Run.created_at, Run.id)))


def runs_naming_dataset(session: Session, dataset_name: str) -> list[Run]:
    """Runs whose recorded datasets include ``dataset_name`` (e.g. an encoder trained on a faces set).

    ``dataset_names`` is a JSON list; filtered here rather than in SQL so it works on every backend.
    """
    return [
        r
        for r in session.scalars(select(Run).order_by(Run.created_at, Run.id))
        if dataset_name in r.dataset_names
    ]


# ------------------------------------------------------------------ recordings and their intervals (issue 12)


def recordings(session: Session, dataset_names: Sequence[str] = ()) -> list[Clip]:
    """The long videos (clips of kind ``recording``) of the named datasets (all when empty), by id; those
    missing from their source are left out (their files are gone)."""
    stmt = select(Clip).where(Clip.kind == RECORDING, CLIP_PRESENT).order_by(Clip.id)
    if dataset_names:
        stmt = stmt.join(Dataset, Dataset.id == Clip.dataset_id).where(Dataset.name.in_(list(dataset_names)))
    return list(session.scalars(stmt))


def intervals_for(session: Session, clip_id: int, annotator: str | None = None) -> list[Interval]:
    """The intervals of one recording (one annotator's, or everyone's), by onset then id."""
    stmt = select(Interval).where(Interval.clip_id == clip_id)
    if annotator is not None:
        stmt = stmt.where(Interval.annotator == annotator)
    return list(session.scalars(stmt.order_by(Interval.onset, Interval.id)))


def dataset_intervals(
    session: Session, dataset_name: str, annotator: str = SOURCE_ANNOTATOR
) -> list[tuple[Clip, Interval]]:
    """(recording, interval) pairs of a dataset for one annotator (default: the dataset's own coding),
    recordings missing from their source left out, like ``recordings``."""
    stmt = (
        select(Clip, Interval)
        .join(Interval, Interval.clip_id == Clip.id)
        .join(Dataset, Dataset.id == Clip.dataset_id)
        .where(
            Dataset.name == dataset_name,
            Clip.kind == RECORDING,
            CLIP_PRESENT,
            Interval.annotator == annotator,
        )
        .order_by(Clip.id, Interval.onset, Interval.id)
    )
    return [(clip, interval) for clip, interval in session.execute(stmt).tuples()]


def find_dataset(session: Session, name: str) -> Dataset | None:
    return session.scalar(select(Dataset).where(Dataset.name == name))


def find_subject(session: Session, dataset_id: int, code: str) -> Subject | None:
    return session.scalar(select(Subject).where(Subject.dataset_id == dataset_id, Subject.code == code))


def find_clip(session: Session, dataset_id: int, subject_id: int, name: str) -> Clip | None:
    stmt = select(Clip).where(Clip.dataset_id == dataset_id, Clip.subject_id == subject_id, Clip.name == name)
    return session.scalar(stmt)


def intervals_accepted_from(session: Session, spot_run_id: str) -> list[Interval]:
    """The intervals users accepted from one spotting run (their provenance names it), in id order."""
    stmt = select(Interval).where(Interval.annotator != SOURCE_ANNOTATOR, Interval.provenance.is_not(None))
    return [
        i
        for i in session.scalars(stmt.order_by(Interval.id))
        if (i.provenance or {}).get("run") == spot_run_id
    ]


def recording_stats(session: Session) -> dict[int, dict[str, Any]]:
    """Per dataset id: ``videos`` (recordings), ``intervals`` (the dataset's own coding) and per type."""
    out: dict[int, dict[str, Any]] = {}
    for dataset_id, count in session.execute(
        select(Clip.dataset_id, func.count(Clip.id)).where(Clip.kind == RECORDING).group_by(Clip.dataset_id)
    ):
        out[dataset_id] = {"videos": int(count), "intervals": 0, "intervals_by_type": {}}
    for dataset_id, kind, count in session.execute(
        select(Clip.dataset_id, Interval.type, func.count(Interval.id))
        .join(Clip, Clip.id == Interval.clip_id)
        .where(Interval.annotator == SOURCE_ANNOTATOR)
        .group_by(Clip.dataset_id, Interval.type)
    ):
        entry = out.setdefault(dataset_id, {"videos": 0, "intervals": 0, "intervals_by_type": {}})
        entry["intervals"] += int(count)
        entry["intervals_by_type"][kind] = int(count)
    return out


def add_interval(
    session: Session,
    clip_id: int,
    annotator: str,
    onset: int,
    offset: int,
    type: str,
    apex: int | None = None,
    emotion: str | None = None,
    label: str | None = None,
    aus: str = "",
    provenance: dict[str, Any] | None = None,
) -> Interval:
    """Add ``annotator``'s interval to a recording (an accepted spot carries its ``provenance``).

    Flushes, does not commit. The marks must satisfy onset ≤ apex ≤ offset inside the recording's
    frame numbers; ``source`` is reserved for the dataset's coding, which only ingest writes.
    """
    clip = session.get(Clip, clip_id)
    if clip is None or clip.kind != RECORDING:
        raise GlimpseError(f"clip {clip_id} is not a recording", hint="pick a long video")
    annotator = _checked_annotator(annotator)
    if type not in INTERVAL_TYPES:
        raise GlimpseError(f"interval type {type!r} is unknown", hint=f"one of {', '.join(INTERVAL_TYPES)}")
    _check_marks(clip, onset, apex, offset, "recording's", f"recording {clip_id} ({clip.name})")
    interval = Interval(
        clip_id=clip_id,
        annotator=annotator,
        onset=onset,
        apex=apex,
        offset=offset,
        type=type,
        emotion=emotion,
        label=label,
        aus=aus or "",
        provenance=provenance,
    )
    session.add(interval)
    session.flush()
    return interval


# --- versioned annotation writes (optimistic concurrency) -------------------------------------------------
# A save names the version its user opened. The check and the write are one statement (an UPDATE … WHERE
# version = opened, or an INSERT … ON CONFLICT DO NOTHING for a first save), so two processes saving at
# once cannot both pass the check: the database serialises them and the loser sees 0 rows written and
# gets AnnotationConflict naming who saved and when. No IntegrityError escapes and no write is lost.

_INSERT_IGNORING_DUPLICATES: dict[str, Callable[..., Any]] = {
    "sqlite": sqlite.insert,
    "postgresql": postgresql.insert,
}


def _insert_ignoring_duplicates(session: Session, values: dict[str, Any]) -> bool:
    """INSERT the annotation unless (clip, annotator) exists already; True when this call inserted it."""
    dialect = session.get_bind().dialect.name
    if dialect not in _INSERT_IGNORING_DUPLICATES:
        raise GlimpseError(
            f"annotation saves do not support the {dialect} database", hint="use SQLite or PostgreSQL"
        )
    stmt = (
        _INSERT_IGNORING_DUPLICATES[dialect](Annotation)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["clip_id", "annotator"])
        .returning(Annotation.id)
    )
    return session.execute(stmt).scalar_one_or_none() is not None


def current_annotation(session: Session, clip_id: int, annotator: str) -> Annotation | None:
    """The committed-or-own row as the database has it now (bypassing stale objects in the session)."""
    stmt = (
        select(Annotation)
        .where(Annotation.clip_id == clip_id, Annotation.annotator == annotator)
        .execution_options(populate_existing=True)
    )
    return session.scalar(stmt)


def write_versioned_annotation(
    session: Session,
    clip: Clip,
    annotator: str,
    values: dict[str, Any],
    opened_version: int | None,
    overwrite: bool,
) -> Annotation:
    """Write one annotation row unless someone saved it since ``opened_version``; bump its version."""
    now = utcnow()
    written = False
    if opened_version is None or overwrite:
        first = {
            "clip_id": clip.id,
            "annotator": annotator,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        written = _insert_ignoring_duplicates(session, {**values, **first})
    if not written and (opened_version is not None or overwrite):
        where = [Annotation.clip_id == clip.id, Annotation.annotator == annotator]
        if not overwrite:
            where.append(Annotation.version == opened_version)
        stmt = (
            update(Annotation)
            .where(*where)
            .values(**values, version=Annotation.version + 1, updated_at=now)
            .returning(Annotation.id)
            .execution_options(synchronize_session=False)
        )
        written = session.execute(stmt).scalar_one_or_none() is not None
    row = current_annotation(session, clip.id, annotator)
    if not written or row is None:
        raise AnnotationConflict(
            who=row.updated_by or row.annotator if row is not None else None,
            when=row.updated_at if row is not None else None,
            version=row.version if row is not None else None,
            where=f"{annotator}'s annotation of clip {clip.id} ({clip.name})",
        )
    # the clip row is the lock point for its denormalised agreement (PostgreSQL; SQLite locks the file)
    session.execute(select(Clip.id).where(Clip.id == clip.id).with_for_update())
    _keep_version(session, row)
    return row


_VERSIONED_FIELDS = ("onset", "apex", "offset", "action_units", "emotion", "label", "notes", "provenance")


def _keep_version(session: Session, row: Annotation) -> None:
    """Append the row as it now is to its history (same transaction: a refused save leaves none)."""
    session.add(
        AnnotationVersion(
            annotation_id=row.id,
            clip_id=row.clip_id,
            annotator=row.annotator,
            version=row.version,
            saved_by=row.updated_by,
            saved_at=row.updated_at,
            **{f: getattr(row, f) for f in _VERSIONED_FIELDS},
        )
    )
    session.flush()


def annotation_history(session: Session, clip_id: int) -> list[AnnotationVersion]:
    """Every version of every annotation of a clip, by annotator then version."""
    stmt = (
        select(AnnotationVersion)
        .where(AnnotationVersion.clip_id == int(clip_id))
        .order_by(AnnotationVersion.annotator, AnnotationVersion.version)
    )
    return list(session.scalars(stmt))


def annotation_version(session: Session, clip_id: int, annotator: str, version: int) -> AnnotationVersion:
    stmt = select(AnnotationVersion).where(
        AnnotationVersion.clip_id == int(clip_id),
        AnnotationVersion.annotator == annotator,
        AnnotationVersion.version == int(version),
    )
    found = session.scalar(stmt)
    if found is None:
        raise GlimpseError(f"{annotator}'s annotation of clip {clip_id} has no version {version}")
    return found
