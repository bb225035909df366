"""The catalog's queries, split by concern; every SELECT, INSERT, UPDATE and DELETE of the engine lives here.

Why a package: the engine never builds a statement (``tests/db/test_sql_only_in_db.py`` checks it), so
each query is a named, typed function of one job in the module of its concern:

- ``clips``: clips and their frames (the filtered clip page, clips for training, names, frame paths)
- ``datasets``: datasets and subjects (lookups, per-dataset statistics, the catalog snapshot)
- ``annotations``: annotations of short clips (the versioned save, reads, history)
- ``recordings``: recordings (long videos) and their intervals
- ``runs``: runs, metrics, predictions, artefacts

This ``__init__`` re-exports the public names, so ``from db import queries; queries.X(...)`` (or
``from db.queries import X``) is the one way callers reach them, as ``engine.api`` does for the pages.
"""

from db.queries.annotations import (
    annotation_history,
    annotation_version,
    annotations_for,
    annotations_of,
    annotations_on,
    annotations_with_rates,
    annotator_names,
    check_marks,
    checked_annotator,
    current_annotation,
    majority_share,
    refresh_majority_share,
    save_annotation,
    write_versioned_annotation,
)
from db.queries.clips import (
    CLIP_MISSING,
    CLIP_PRESENT,
    ClipFilter,
    ClipPage,
    clip_frames,
    clip_labels,
    clip_names,
    clip_stamp,
    clips_for_training,
    dataset_clips,
    find_clip,
    frame_listing,
    frame_path,
    labels_of_clips,
    list_clips,
)
from db.queries.datasets import (
    catalog_snapshot,
    dataset_named,
    dataset_names,
    dataset_stats,
    find_dataset,
    find_subject,
    missing_counts,
    subject_names,
)
from db.queries.recordings import (
    add_interval,
    dataset_intervals,
    intervals_accepted_from,
    intervals_for,
    recording_stats,
    recordings,
)
from db.queries.runs import (
    artifacts_of_kind,
    cell_predictions,
    child_runs,
    list_runs,
    overall_metrics,
    predictions_of,
    run_metrics,
    run_predictions,
    runs_naming_dataset,
    runs_of_job,
    runs_with_predictions_on,
)

__all__ = [
    "CLIP_PRESENT",
    "CLIP_MISSING",
    "ClipFilter",
    "ClipPage",
    "list_clips",
    "find_clip",
    "clip_frames",
    "frame_listing",
    "clips_for_training",
    "dataset_clips",
    "clip_labels",
    "clip_names",
    "clip_stamp",
    "frame_path",
    "labels_of_clips",
    "dataset_names",
    "dataset_named",
    "subject_names",
    "find_dataset",
    "find_subject",
    "dataset_stats",
    "missing_counts",
    "catalog_snapshot",
    "majority_share",
    "refresh_majority_share",
    "checked_annotator",
    "check_marks",
    "save_annotation",
    "annotations_for",
    "annotator_names",
    "annotations_of",
    "annotations_with_rates",
    "annotations_on",
    "current_annotation",
    "write_versioned_annotation",
    "annotation_history",
    "annotation_version",
    "recordings",
    "intervals_for",
    "dataset_intervals",
    "intervals_accepted_from",
    "recording_stats",
    "add_interval",
    "list_runs",
    "child_runs",
    "runs_of_job",
    "overall_metrics",
    "run_metrics",
    "run_predictions",
    "predictions_of",
    "cell_predictions",
    "artifacts_of_kind",
    "runs_with_predictions_on",
    "runs_naming_dataset",
]
