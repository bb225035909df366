"""The facade the workbench calls: small, read-mostly functions, split by concern.

Why a facade: page scripts must never train or preprocess, and must not know the catalog's session
rules or where files live. Each module here is one concern (catalog, frames, annotations, jobs,
results, trajectories); this ``__init__`` re-exports their public names so ``from engine import api;
api.X(...)`` is the one way the pages call the engine.
"""

from engine.api.annotations import (
    AU_CHOICES,
    EMOTIONS,
    FACS_AUS,
    agreement,
    annotations,
    annotators,
    codings,
    save_annotation,
    suggest_apex,
    suggest_apex_from_features,
)
from engine.api.catalog import (
    catalog_location,
    clip_detail,
    clip_names,
    clips,
    datasets,
    filter_options,
)
from engine.api.frames import clip_faces, difference_image, face_crops, frame_image, landmarks
from engine.api.jobs import (
    JOB_KINDS,
    cancel_job,
    enqueue_job,
    ensure_worker,
    job_logs,
    job_status,
    recent_jobs,
    synth_params,
    training_defaults,
)
from engine.api.results import (
    LABELS_ME,
    VARIANT_ORDER,
    ablations,
    cell_clips,
    compare,
    paired_tests,
    run_detail,
    runs,
)
from engine.api.session import get_session
from engine.api.trajectories import (
    TRAJECTORY_KINDS,
    trajectories,
    trajectory_clips,
    trajectory_runs,
)

__all__ = [
    "AU_CHOICES",
    "EMOTIONS",
    "FACS_AUS",
    "JOB_KINDS",
    "LABELS_ME",
    "TRAJECTORY_KINDS",
    "VARIANT_ORDER",
    "ablations",
    "agreement",
    "annotations",
    "annotators",
    "cancel_job",
    "catalog_location",
    "cell_clips",
    "clip_detail",
    "clip_faces",
    "clip_names",
    "clips",
    "codings",
    "compare",
    "datasets",
    "difference_image",
    "enqueue_job",
    "ensure_worker",
    "face_crops",
    "filter_options",
    "frame_image",
    "get_session",
    "job_logs",
    "job_status",
    "landmarks",
    "paired_tests",
    "recent_jobs",
    "run_detail",
    "runs",
    "save_annotation",
    "suggest_apex",
    "suggest_apex_from_features",
    "synth_params",
    "training_defaults",
    "trajectories",
    "trajectory_clips",
    "trajectory_runs",
]
