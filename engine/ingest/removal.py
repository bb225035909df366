"""Deleting a dataset or one clip from the catalog — only ever on request (`glimpse catalog delete`).

Why a separate, explicit path: finished results are immutable, so an ingest never deletes (it marks
vanished clips missing). A deletion that would take clips from under a run refuses and names the runs,
unless the caller asks to archive them. An archived run keeps its Run row (status ``archived``), its
metrics and its folder (config, checkpoints, predictions.csv); its Prediction rows leave the catalog, so
the catalog never holds part of a run's predictions, and ``archived.json`` in the folder says when, why
and what the status was. Dataset originals on disk are never touched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from db import queries
from db.people import local_user_name, record
from db.queries import dataset_named, runs_naming_dataset, runs_with_predictions_on
from db.schema import Clip, Dataset, Run, utcnow
from engine.errors import GlimpseError
from engine.paths import runs_dir

RUN_ARCHIVED = "archived"
ARCHIVE_NOTE = "archived.json"
_SHOWN = 10


@dataclass(frozen=True)
class Deletion:
    """What one delete removed (counts of catalog rows) and which runs it archived."""

    dataset: str
    what: str  # "dataset NAME" or "clip SUBJECT/NAME of dataset NAME"
    n_clips: int
    n_frames: int
    n_annotations: int
    archived_runs: tuple[str, ...]


def _describe(run: Run) -> str:
    return f"{run.id} ({run.name or run.kind}, {run.status})"


def _run_list(runs: list[Run]) -> str:
    shown = ", ".join(_describe(r) for r in runs[:_SHOWN])
    return shown + (f" and {len(runs) - _SHOWN} more" if len(runs) > _SHOWN else "")


def _clip(session: Session, dataset: Dataset, name: str, subject: str | None) -> Clip:
    found = queries.clips_named(session, dataset.id, name, subject)
    if not found:
        where = f" of subject {subject!r}" if subject is not None else ""
        raise GlimpseError(
            f"no clip {name!r}{where} in dataset {dataset.name!r}",
            hint=f"list them with `glimpse catalog ls --dataset {dataset.name}`",
        )
    if len(found) > 1:
        codes = ", ".join(code for _, code in found)
        raise GlimpseError(
            f"clip name {name!r} is in {len(found)} subjects of {dataset.name!r} ({codes})",
            hint="add --subject to say which",
        )
    return found[0][0]


def referencing_runs(session: Session, dataset: Dataset, clip_ids: list[int], whole: bool) -> list[Run]:
    """Runs (not archived) that predicted any of ``clip_ids`` or — for a whole dataset — recorded it."""
    runs = {r.id: r for r in runs_with_predictions_on(session, clip_ids)}
    if whole:
        runs.update((r.id, r) for r in runs_naming_dataset(session, dataset.name))
    return sorted((r for r in runs.values() if r.status != RUN_ARCHIVED), key=lambda r: (r.created_at, r.id))


def _with_parents(session: Session, runs: list[Run]) -> list[Run]:
    """``runs`` plus their ablation parents (whose comparison was computed from them)."""
    out = {r.id: r for r in runs}
    for run in runs:
        if run.parent_id and run.parent_id not in out:
            parent = session.get(Run, run.parent_id)
            if parent is not None and parent.status != RUN_ARCHIVED:
                out[parent.id] = parent
    return sorted(out.values(), key=lambda r: (r.created_at, r.id))


def _archive(session: Session, runs: list[Run], reason: str, when: datetime) -> list[dict]:
    notes = []
    for run in runs:
        removed = queries.delete_predictions(session, run.id)
        notes.append(
            {
                "run_id": run.id,
                "archived_at": when.isoformat(timespec="seconds") + "Z",
                "reason": reason,
                "previous_status": run.status,
                "predictions_removed_from_catalog": int(removed),
                "predictions_kept_in": "predictions.csv",
            }
        )
        run.status = RUN_ARCHIVED
    return notes


def delete_from_catalog(
    session: Session,
    dataset_name: str,
    clip: str | None = None,
    subject: str | None = None,
    archive_runs: bool = False,
    deleted_by: str | None = None,
) -> Deletion:
    """Delete a dataset (or one clip of it) with its frames, annotations and face-crop rows, in ONE
    transaction (committed here) that also records who deleted it (``deleted_by``, default the local
    user: the CLI is a local admin). Refuses while runs reference it, unless ``archive_runs``."""
    try:
        dataset = dataset_named(session, dataset_name)
        if clip is None:
            clip_ids = queries.clip_ids_of_dataset(session, dataset.id)
            what = f"dataset {dataset.name!r}"
        else:
            target = _clip(session, dataset, clip, subject)
            clip_ids = [target.id]
            what = f"clip {target.subject.code}/{target.name} of dataset {dataset.name!r}"
        runs = referencing_runs(session, dataset, clip_ids, whole=clip is None)
        running = [r for r in runs if r.status == "running"]
        if running:
            raise GlimpseError(
                f"{what} is in use by running run(s): {_run_list(running)}",
                hint="wait for them to finish or cancel their jobs, then delete",
            )
        if runs and not archive_runs:
            raise GlimpseError(
                f"{len(runs)} run(s) reference {what}: {_run_list(runs)}",
                hint="their results would lose the clips they name; pass --archive-runs to archive them "
                "(their folders and metrics stay), or keep the data",
            )
        n_frames = queries.count_frames(session, clip_ids)
        n_annotations = queries.count_annotations(session, clip_ids)
        archived = _with_parents(session, runs)
        notes = _archive(session, archived, f"{what} deleted from the catalog", utcnow())
        session.flush()
        if clip is None:
            queries.delete_dataset(session, dataset.id)
        else:
            queries.delete_clips(session, dataset.id, clip_ids)
        detail = {"clips": len(clip_ids), "archived_runs": [n["run_id"] for n in notes]}
        record(session, deleted_by or local_user_name(), "delete", what, detail)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    session.expunge_all()
    for note in notes:  # after the commit: a note never describes an archive that was rolled back
        folder = runs_dir() / note["run_id"]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ARCHIVE_NOTE).write_text(json.dumps(note, indent=2), encoding="utf-8")
    return Deletion(
        dataset=dataset_name,
        what=what,
        n_clips=len(clip_ids),
        n_frames=int(n_frames),
        n_annotations=int(n_annotations),
        archived_runs=tuple(n["run_id"] for n in notes),
    )
