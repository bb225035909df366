"""Runs, their metrics, predictions and artefacts (read-only: a finished run never changes), and the
runs that name a clip or a dataset."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.schema import (
    Artifact,
    Clip,
    Dataset,
    Metric,
    Prediction,
    Run,
    Subject,
)


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


def runs_of_kind(session: Session, kind: str, limit: int = 200) -> list[Run]:
    """Runs of one kind (e.g. ``spotting``), newest first."""
    stmt = select(Run).where(Run.kind == kind).order_by(Run.created_at.desc(), Run.id).limit(limit)
    return list(session.scalars(stmt))


def run_artifacts(session: Session, run_id: str) -> list[Artifact]:
    """Every artefact of a run, in id order."""
    return list(session.scalars(select(Artifact).where(Artifact.run_id == run_id).order_by(Artifact.id)))


def run_artifact(session: Session, run_id: str, kind: str) -> Artifact | None:
    """A run's (first) artefact of ``kind`` (``config``, ``checkpoint``, …); None when it has none."""
    found = artifacts_of_kind(session, [kind], run_id)
    return found[0] if found else None
