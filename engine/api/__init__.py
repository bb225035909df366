"""The facade the workbench calls: small, read-mostly functions returning typed results, split by concern.

Why a facade: page scripts must never train or preprocess, and must not know the catalog's session
rules or where files live. Each module is one concern and stays thin — SELECTs live in
``db.queries``, analysis in ``engine.evaluate`` / ``engine.annotate``, file reading in
``engine.preprocess`` — and returns frozen dataclasses (DataFrames only for what the pages show as
tables). This ``__init__`` re-exports the public names, so ``from engine import api; api.X(...)`` is
the one way the pages call the engine.
"""

from engine.api.annotation_versions import (
    AnnotationConflict,
    Marks,
    OpenedAnnotation,
    SavedAnnotation,
    open_annotation,
    save_marks,
)
from engine.api.annotations import (
    agreement,
    annotators,
    clip_annotations,
    codings,
    save_annotation,
    suggest_apex,
    suggest_apex_from_features,
)
from engine.api.catalog import (
    ClipDetail,
    ClipFilterOptions,
    ClipQuery,
    DatasetSummary,
    clip_detail,
    clip_names,
    clips,
    datasets,
    filter_options,
)
from engine.api.comparison import Comparison, compare, comparison_document, paired_tests, pooled_cell_clips
from engine.api.frames import DifferenceImage, FaceCrops, difference_image, face_crops, frame_image, landmarks
from engine.api.jobs import (
    JobStatus,
    TrainingDefaults,
    cancel_job,
    enqueue_job,
    ensure_worker,
    job_logs,
    job_status,
    protocols,
    recent_jobs,
    synth_params,
    training_defaults,
)
from engine.api.player import (
    CROPS_MAX_FRAMES,
    SOURCES,
    FrameWindow,
    coding_tracks,
    feature_curve,
    frame_window,
    motion_curve,
    player_crops,
    window_length,
)
from engine.api.registries import AUDIT_BADGE, VariantInfo, dataset_formats, variants
from engine.api.results import RunDetail, RunInfo, ablations, cell_clips, run_detail, run_info, runs
from engine.api.review import (
    CONSENSUS,
    Consensus,
    Disagreement,
    FullCoding,
    adopt,
    disagreements,
    full_codings,
    merge,
    save_consensus,
)
from engine.api.run_picker import RunChoice, children_of, newest_finished, run_choices, runs_of_job
from engine.api.session import catalog_location, get_session
from engine.api.spotting import (
    SpotRunDetail,
    SpotRunInfo,
    TimelineItem,
    VideoTimeline,
    accept_spot,
    long_video_datasets,
    spot_methods,
    spot_run_detail,
    spotting_runs,
    submit_spotting,
    video_timeline,
)
from engine.api.trajectories import trajectories, trajectory_clips, trajectory_index, trajectory_runs
from engine.evaluate.side_by_side import GroupConfusion
from engine.evaluate.trajectories import ClipTrajectory
from engine.evaluate.verdicts import ChanceLevels, Verdict
from engine.labels import AU_CHOICES, EMOTIONS
from engine.preprocess.detect import GroundTruthMarks
from engine.spotting.intervals import Interval as SpotInterval

__all__ = [
    # results, compare, run pickers (issue 20)
    "AUDIT_BADGE",
    "ChanceLevels",
    "GroupConfusion",
    "RunChoice",
    "Verdict",
    "children_of",
    "newest_finished",
    "pooled_cell_clips",
    "run_choices",
    "runs_of_job",
    "AU_CHOICES",
    "AnnotationConflict",
    "Marks",
    "OpenedAnnotation",
    "SavedAnnotation",
    "open_annotation",
    "save_marks",
    "CONSENSUS",
    "CROPS_MAX_FRAMES",
    "SOURCES",
    "Consensus",
    "Disagreement",
    "FrameWindow",
    "FullCoding",
    "adopt",
    "coding_tracks",
    "disagreements",
    "feature_curve",
    "frame_window",
    "full_codings",
    "merge",
    "motion_curve",
    "player_crops",
    "save_consensus",
    "window_length",
    "EMOTIONS",
    "ClipDetail",
    "ClipFilterOptions",
    "ClipQuery",
    "ClipTrajectory",
    "Comparison",
    "DatasetSummary",
    "DifferenceImage",
    "FaceCrops",
    "GroundTruthMarks",
    "JobStatus",
    "RunDetail",
    "RunInfo",
    "SpotInterval",
    "SpotRunDetail",
    "SpotRunInfo",
    "TimelineItem",
    "TrainingDefaults",
    "VariantInfo",
    "VideoTimeline",
    "ablations",
    "accept_spot",
    "agreement",
    "clip_annotations",
    "annotators",
    "cancel_job",
    "catalog_location",
    "cell_clips",
    "clip_detail",
    "clip_names",
    "clips",
    "codings",
    "compare",
    "comparison_document",
    "dataset_formats",
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
    "long_video_datasets",
    "paired_tests",
    "protocols",
    "recent_jobs",
    "run_detail",
    "run_info",
    "runs",
    "save_annotation",
    "spot_methods",
    "spot_run_detail",
    "spotting_runs",
    "submit_spotting",
    "suggest_apex",
    "suggest_apex_from_features",
    "synth_params",
    "training_defaults",
    "trajectories",
    "trajectory_clips",
    "trajectory_index",
    "trajectory_runs",
    "variants",
    "video_timeline",
]
