"""Catalog tables: what the workbench shows and what runs produced.

Clips keep the dataset's own coding (onset/apex/offset, AUs, emotion) denormalised for fast filtering;
every coding, the dataset's included, is also an ``annotations`` row (annotator ``source``).

A long video (CAS(ME)², SAMM Long Videos, CAS(ME)³) is a clip of kind ``recording``: its frames are
``frames`` rows like any clip's (recording frame numbers), and the micro-/macro-expressions inside it
are ``intervals`` rows, the dataset's own coding under annotator ``source``, accepted spots under the
user's name with their provenance.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

SOURCE_ANNOTATOR = "source"

# clips.kind: short clips keep what they show (micro | macro | image); a long video is a recording
RECORDING = "recording"
CLIP_KINDS = ("micro", "macro", "image", RECORDING)
# intervals.type
INTERVAL_TYPES = ("micro", "macro")
# intervals.flags: what a reader had to assume about a coded interval
FLAG_APEX_UNKNOWN = "apex_unknown"  # coded 0 / blank / "/": stored as NULL
FLAG_OFFSET_UNKNOWN = "offset_unknown"  # coded 0: offset taken from the apex (or onset), see the reader
FLAG_ONSET_UNKNOWN = "onset_unknown"  # coded 0: onset taken from the apex

JOB_STATES = ("queued", "running", "succeeded", "failed", "cancelled", "lost")
JOB_FINAL_STATES = ("succeeded", "failed", "cancelled", "lost")
JOB_ACTIVE_STATES = tuple(s for s in JOB_STATES if s not in JOB_FINAL_STATES)  # queued, running
JOB_RETRYABLE_STATES = tuple(s for s in JOB_FINAL_STATES if s != "succeeded")  # ended without a result

# people.role, most powerful first (what each may do: engine.api.access.PERMISSIONS)
ROLES = ("admin", "researcher", "coder", "viewer")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Dataset(Base):
    __tablename__ = "datasets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    # reader that produced it: casme2, smic, samm, casme_sq, ckplus, folder, video
    format: Mapped[str] = mapped_column(String(32))
    # micro (ME clips), macro (macro-expression sequences) or faces (still images)
    purpose: Mapped[str] = mapped_column(String(16), default="micro")
    root: Mapped[str] = mapped_column(Text)
    fps: Mapped[float | None] = mapped_column(Float, nullable=True)
    is_synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    subjects: Mapped[list[Subject]] = relationship(back_populates="dataset", cascade="all, delete-orphan")
    clips: Mapped[list[Clip]] = relationship(back_populates="dataset", cascade="all, delete-orphan")


class Subject(Base):
    __tablename__ = "subjects"
    __table_args__ = (UniqueConstraint("dataset_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))

    dataset: Mapped[Dataset] = relationship(back_populates="subjects")
    clips: Mapped[list[Clip]] = relationship(back_populates="subject")


class Clip(Base):
    __tablename__ = "clips"
    __table_args__ = (
        UniqueConstraint("dataset_id", "subject_id", "name"),
        Index("ix_clips_dataset_label", "dataset_id", "label", "id"),
        Index("ix_clips_dataset_subject", "dataset_id", "subject_id", "id"),
        Index("ix_clips_dataset_agreement", "dataset_id", "agreement", "id"),
        Index("ix_clips_dataset_annotators", "dataset_id", "n_annotators", "id"),
        Index("ix_clips_dataset_kind", "dataset_id", "kind", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(256))
    # folder of the frames (or video file), relative to the dataset root
    path: Mapped[str] = mapped_column(Text)
    # CLIP_KINDS: micro | macro | image (short clips) or recording (a long video with intervals)
    kind: Mapped[str] = mapped_column(String(16), default="micro")
    fps: Mapped[float | None] = mapped_column(Float, nullable=True)
    n_frames: Mapped[int] = mapped_column(Integer, default=0)
    first_frame: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_frame: Mapped[int | None] = mapped_column(Integer, nullable=True)
    onset: Mapped[int | None] = mapped_column(Integer, nullable=True)
    apex: Mapped[int | None] = mapped_column(Integer, nullable=True)
    offset: Mapped[int | None] = mapped_column(Integer, nullable=True)
    apex_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    action_units: Mapped[str] = mapped_column(String(256), default="")
    emotion_raw: Mapped[str] = mapped_column(String(64), default="")
    # 3-class ME label (negative/positive/surprise) or 4-class macro label (…/neutral); None = excluded
    label: Mapped[str | None] = mapped_column(String(32), nullable=True)
    n_annotators: Mapped[int] = mapped_column(Integer, default=0)
    # label agreement among annotators (fraction agreeing with the majority), None with < 2 annotators
    agreement: Mapped[float | None] = mapped_column(Float, nullable=True)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # set when a re-ingest no longer finds the clip in its source; the row, its frames, annotations and the
    # predictions naming it stay (results are immutable), and the same id comes back when the files return
    missing_since: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    dataset: Mapped[Dataset] = relationship(back_populates="clips")
    subject: Mapped[Subject] = relationship(back_populates="clips")
    frames: Mapped[list[Frame]] = relationship(
        back_populates="clip", cascade="all, delete-orphan", order_by="Frame.index"
    )
    annotations: Mapped[list[Annotation]] = relationship(back_populates="clip", cascade="all, delete-orphan")
    intervals: Mapped[list[Interval]] = relationship(
        back_populates="clip", cascade="all, delete-orphan", order_by="Interval.onset"
    )


class Frame(Base):
    __tablename__ = "frames"
    __table_args__ = (UniqueConstraint("clip_id", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"))
    index: Mapped[int] = mapped_column(Integer)  # 0-based position in the clip
    number: Mapped[int] = mapped_column(Integer)  # the dataset's frame number (from the file name)
    path: Mapped[str] = mapped_column(Text)  # relative to the dataset root

    clip: Mapped[Clip] = relationship(back_populates="frames")


# what a coder decides about a clip: the columns a coding and each of its versions share
CODING_FIELDS = ("onset", "apex", "offset", "action_units", "emotion", "label", "notes")


class CodingColumns:
    """The coding of a clip — ``CODING_FIELDS`` and where a non-hand coding came from — as columns: the
    live row (``Annotation``) and every version of it (``AnnotationVersion``) hold the same ones, so a
    version is exactly the row's values as they were."""

    onset: Mapped[int | None] = mapped_column(Integer, nullable=True)
    apex: Mapped[int | None] = mapped_column(Integer, nullable=True)
    offset: Mapped[int | None] = mapped_column(Integer, nullable=True)
    action_units: Mapped[str] = mapped_column(String(256), default="")
    emotion: Mapped[str] = mapped_column(String(64), default="")
    label: Mapped[str | None] = mapped_column(String(32), nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    # where a non-hand annotation came from (consensus of annotators, an accepted spotted interval, …)
    provenance: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class Annotation(CodingColumns, Base):
    __tablename__ = "annotations"
    __table_args__ = (UniqueConstraint("clip_id", "annotator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"), index=True)
    annotator: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # optimistic concurrency: a save names the version it opened; a newer version means someone else saved
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_by: Mapped[str] = mapped_column(String(64), default="", server_default="")

    clip: Mapped[Clip] = relationship(back_populates="annotations")


class Interval(Base):
    """A micro- or macro-expression inside a recording, in the recording's frame numbers.

    ``annotator`` ``source`` is the dataset's own code file (rewritten on re-ingest); any other name is
    a person, or an accepted spot, whose ``provenance`` says where it came from (method, run, threshold).
    ``apex`` is NULL when the release codes it as unknown (CAS(ME)²'s 0); ``flags`` lists such guesses.
    """

    __tablename__ = "intervals"
    __table_args__ = (Index("ix_intervals_clip_annotator", "clip_id", "annotator", "onset"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"))
    annotator: Mapped[str] = mapped_column(String(64), default=SOURCE_ANNOTATOR)
    # the release's own name for it (``disgust1_1``, ``006_1_1``) or "" for a new one
    name: Mapped[str] = mapped_column(String(128), default="")
    onset: Mapped[int] = mapped_column(Integer)
    apex: Mapped[int | None] = mapped_column(Integer, nullable=True)
    offset: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(8), default="micro")  # INTERVAL_TYPES
    emotion: Mapped[str | None] = mapped_column(String(64), nullable=True)  # raw, as coded
    label: Mapped[str | None] = mapped_column(String(32), nullable=True)  # 3-class MEGC, None = excluded
    aus: Mapped[str] = mapped_column(String(256), default="")
    flags: Mapped[list[Any]] = mapped_column(default=list)  # FLAG_* names
    provenance: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    clip: Mapped[Clip] = relationship(back_populates="intervals")


class FaceCrop(Base):
    """A preprocessed (detected, aligned, cropped) copy of a clip in the content-addressed cache."""

    __tablename__ = "face_crops"
    __table_args__ = (UniqueConstraint("clip_id", "cache_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"), index=True)
    cache_key: Mapped[str] = mapped_column(String(64))
    backend: Mapped[str] = mapped_column(String(32))  # face_alignment | opencv | ground_truth
    size: Mapped[int] = mapped_column(Integer)
    n_frames: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(Text)  # relative to GLIMPSE_HOME
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # synth | ingest | preprocess | train | ablation | evaluate
    submitted_by: Mapped[str] = mapped_column(String(64), default="", server_default="")  # a person's name
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    worker_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    pid: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    logs: Mapped[list[JobLog]] = relationship(back_populates="job", cascade="all, delete-orphan")


class Worker(Base):
    """A live ``glimpse worker`` process; the app starts one when none has heartbeated recently."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    host: Mapped[str] = mapped_column(String(128), default="")
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class JobLog(Base):
    __tablename__ = "job_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    ts: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    level: Mapped[str] = mapped_column(String(8), default="info")
    line: Mapped[str] = mapped_column(Text)

    job: Mapped[Job] = relationship(back_populates="logs")


class Run(Base):
    """One training/evaluation run; an ablation is a parent run with one child per variant (and seed)."""

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("runs.id", ondelete="CASCADE"), nullable=True, index=True
    )
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True)
    kind: Mapped[str] = mapped_column(String(32))  # stage | loso | ablation | baseline
    variant: Mapped[str] = mapped_column(String(32), default="")  # fir | er | mixt | full | lbptop | flowcnn
    name: Mapped[str] = mapped_column(String(256), default="")
    status: Mapped[str] = mapped_column(String(16), default="running")
    seed: Mapped[int | None] = mapped_column(Integer, nullable=True)
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    code_version: Mapped[str] = mapped_column(String(64), default="")
    catalog_snapshot: Mapped[str] = mapped_column(String(64), default="")
    dataset_names: Mapped[list[Any]] = mapped_column(default=list)
    is_synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    device: Mapped[str] = mapped_column(String(32), default="cpu")
    preprocess_backend: Mapped[str] = mapped_column(String(32), default="")
    wall_time_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    metrics: Mapped[list[Metric]] = relationship(back_populates="run", cascade="all, delete-orphan")
    predictions: Mapped[list[Prediction]] = relationship(back_populates="run", cascade="all, delete-orphan")
    artifacts: Mapped[list[Artifact]] = relationship(back_populates="run", cascade="all, delete-orphan")


class Metric(Base):
    __tablename__ = "metrics"
    __table_args__ = (UniqueConstraint("run_id", "scope", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    # overall | fold:<subject> | dataset:<name> | class:<label>
    scope: Mapped[str] = mapped_column(String(128), default="overall")
    name: Mapped[str] = mapped_column(String(64))  # uf1 | uar | accuracy | f1 | precision | recall | support
    value: Mapped[float] = mapped_column(Float)

    run: Mapped[Run] = relationship(back_populates="metrics")


class Prediction(Base):
    __tablename__ = "predictions"
    __table_args__ = (
        UniqueConstraint("run_id", "clip_id"),
        Index("ix_pred_run_cell", "run_id", "truth", "predicted"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    # RESTRICT: a clip a run has a prediction for cannot be deleted underneath it (see `glimpse catalog
    # delete`, which archives such runs first when asked to)
    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id", ondelete="RESTRICT"), index=True)
    fold: Mapped[str] = mapped_column(String(64))  # the held-out subject
    truth: Mapped[str] = mapped_column(String(32))
    predicted: Mapped[str] = mapped_column(String(32))
    probs: Mapped[dict[str, Any]] = mapped_column(default=dict)

    run: Mapped[Run] = relationship(back_populates="predictions")


class Artifact(Base):
    __tablename__ = "artifacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str | None] = mapped_column(
        ForeignKey("runs.id", ondelete="CASCADE"), nullable=True, index=True
    )
    # checkpoint | features | frame_scores | config | megc_log | predictions_csv | log | figure
    kind: Mapped[str] = mapped_column(String(32))
    path: Mapped[str] = mapped_column(Text)  # relative to GLIMPSE_HOME
    sha256: Mapped[str] = mapped_column(String(64), default="")
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    run: Mapped[Run | None] = relationship(back_populates="artifacts")


class Person(Base):
    """Someone who may use the workbench: ``login`` is what the identity provider vouches for (the e-mail
    of an OpenID Connect sign-in, or the local name), ``name`` is what their codings are saved under
    (``annotations.annotator``), ``role`` one of ROLES, read afresh on every request."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64), default="")


class AnnotationVersion(CodingColumns, Base):
    """Every version an annotation row has had (``annotations.version`` numbers them): the history of a
    clip's coding, who saved each and when. Written in the transaction that writes the row, never
    changed; a restore writes the old values as a new version that names the one it came from."""

    __tablename__ = "annotation_versions"
    __table_args__ = (UniqueConstraint("annotation_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    annotation_id: Mapped[int] = mapped_column(ForeignKey("annotations.id", ondelete="CASCADE"))
    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"), index=True)
    annotator: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    saved_by: Mapped[str] = mapped_column(String(64), default="")
    saved_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Assignment(Base):
    """A set of clips handed to coders, ``coders_per_clip`` per clip; ``blind`` hides the release's coding
    and the other coders' from each coder until a researcher closes it. ``spec`` says how the clips were
    chosen (dataset, subjects, sample size and seed, spotting run, or an explicit list)."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    blind: Mapped[bool] = mapped_column(Boolean, default=True)
    coders_per_clip: Mapped[int] = mapped_column(Integer, default=2)
    spec: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    closed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    items: Mapped[list[AssignmentItem]] = relationship(
        back_populates="assignment", cascade="all, delete-orphan", order_by="AssignmentItem.position"
    )


class AssignmentItem(Base):
    """One clip in one coder's queue of an assignment, at ``position`` (the order N / P walk)."""

    __tablename__ = "assignment_items"
    __table_args__ = (
        UniqueConstraint("assignment_id", "clip_id", "coder"),
        Index("ix_assignment_items_coder", "coder", "assignment_id", "position"),
        Index("ix_assignment_items_clip", "clip_id", "coder"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"))
    coder: Mapped[str] = mapped_column(String(64))  # people.name
    position: Mapped[int] = mapped_column(Integer)

    assignment: Mapped[Assignment] = relationship(back_populates="items")


class AuditEvent(Base):
    """Who did a write that leaves no row of its own to carry the name: a dataset deleted, a person's
    role changed, an assignment closed, an annotation version restored."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
