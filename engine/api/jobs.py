"""Jobs: queue one (a worker does the work), watch its progress and log, cancel it; the defaults the
Train page's form starts from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from db.schema import JOB_FINAL_STATES, Job
from engine.api.access import Actor, require
from engine.api.session import get_session
from engine.jobs import queue, service, worker
from engine.paths import data_roots as configured_data_roots
from engine.paths import require_data_root
from engine.synth.config import SynthConfig
from engine.train.config import PROTOCOLS, AblationConfig
from engine.train.requests import build_request

# job kinds that add datasets to the catalog need the admin's "ingest"; every other kind "launch_job"
JOB_ACTIONS = {"ingest": "ingest", "synth": "ingest"}
JOB_COLUMNS = ["id", "kind", "status", "progress", "message", "created", "finished"]


@dataclass(frozen=True)
class JobStatus:
    """One job row as the Train page's monitor shows it."""

    id: int
    kind: str
    status: str
    progress: float
    message: str
    error: str | None
    result: Mapping[str, Any] | None
    params: Mapping[str, Any]
    created: datetime | None
    started: datetime | None
    finished: datetime | None
    cancel_requested: bool

    @property
    def is_final(self) -> bool:
        """True once the job ended (succeeded, failed, cancelled or lost): nothing left to cancel."""
        return self.status in JOB_FINAL_STATES


@dataclass(frozen=True)
class TrainingDefaults:
    """Laptop-sized (or ``tiny``) settings the Train form starts from, as the configs' dicts."""

    ablation: Mapping[str, Any]
    encoder: Mapping[str, Any]
    sequence: Mapping[str, Any]


def _status(job: Job) -> JobStatus:
    return JobStatus(
        id=job.id,
        kind=job.kind,
        status=job.status,
        progress=float(job.progress or 0.0),
        message=job.message or "",
        error=job.error,
        result=job.result,
        params=job.params or {},
        created=job.created_at,
        started=job.started_at,
        finished=job.finished_at,
        cancel_requested=bool(job.cancel_requested),
    )


def ensure_worker() -> None:
    """Start a background worker if none heartbeated recently."""
    worker.ensure_worker()


def enqueue_job(actor: Actor, kind: str, params: Mapping[str, Any], start_worker: bool = True) -> int:
    """Queue a job row for ``actor`` (the worker does the work) and make sure a worker is alive to claim it.

    Ingest and synth (which add datasets) need an admin, other jobs a researcher or admin (NotAllowed
    otherwise, no row written); the job system refuses an unknown ``kind`` (GlimpseError naming the
    known ones). The row records who submitted it.
    """
    with get_session() as session:
        fresh = require(session, actor, JOB_ACTIONS.get(kind, "launch_job"))
        checked = _server_checked(kind, params)
        job_id = service.submit(session, kind, checked, submitted_by=fresh.name)
    if start_worker:
        ensure_worker()
    return int(job_id)


def submit_training(
    actor: Actor,
    kind: str,
    settings: Mapping[str, Any],
    *,
    variant: str | None = None,
    seed: int | None = None,
    labels: str | None = None,
) -> int:
    """Queue a ``train`` / ``ablation`` job for ``actor`` from the Train form's settings (AblationConfig
    fields).

    The request is built and checked by ``engine.train.requests.build_request``, as the CLI's is: an
    unknown variant, a bad setting, or a label source that does not exist or covers too few clips of a
    fold is a GlimpseError here, and no job is queued.
    """
    request = build_request(kind, settings, variant=variant, seed=seed, labels=labels)
    return enqueue_job(actor, kind, request.to_params())


def _server_checked(kind: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The params of a job the server (a web page) asks for, with every folder it would read or write
    held inside the data roots (``engine.paths.require_data_root``, resolved after symlinks), so a
    resolved path is what the worker opens. The CLI queues through ``service.submit`` directly: the
    machine's own user may ingest any path. ``enqueue_job`` checks the role (ingest and synth: an admin)
    before this, so a person who may not ingest learns nothing about the folders."""
    checked = dict(params)
    if kind == "ingest" and checked.get("root"):
        checked["root"] = str(require_data_root(str(checked["root"])))
    if kind == "synth" and checked.get("out_dir"):
        checked["out_dir"] = str(require_data_root(str(checked["out_dir"])))
    return checked


def data_roots() -> list[str]:
    """The folders the server may ingest datasets from (``GLIMPSE_DATA_ROOTS``, default the data home)."""
    return [str(root) for root in configured_data_roots()]


def submit_synth(actor: Actor, tiny: bool, seed: int = 0, start_worker: bool = True) -> int:
    """Queue a ``synth`` job for ``actor`` (an admin): the synthetic corpus of ``seed``, tiny or
    default-sized. Its params are the SynthConfig fields that differ from the default."""
    config = SynthConfig.tiny(seed) if tiny else SynthConfig(seed=seed)
    default = SynthConfig()
    params = {k: v for k, v in asdict(config).items() if getattr(default, k) != v} | {"seed": seed}
    return enqueue_job(actor, "synth", params, start_worker)


def job_status(job_id: int) -> JobStatus:
    """The job as it is now: a job whose worker died reads as ``lost`` at once (``queue.sweep_on_read``)."""
    with get_session() as session:
        queue.sweep_on_read(session)
        return _status(queue.get_job(session, int(job_id)))


def job_logs(job_id: int, tail: int = 30) -> list[str]:
    """The last ``tail`` log lines of a job, oldest first."""
    with get_session() as session:
        return [row.line for row in queue.job_logs(session, int(job_id), tail)]


def recent_jobs(limit: int = 20) -> pd.DataFrame:
    """The newest jobs: a table (dead workers' jobs already marked lost)."""
    with get_session() as session:
        queue.sweep_on_read(session)
        rows = [asdict(_status(j)) for j in queue.list_jobs(session, limit)]
    return pd.DataFrame(rows, columns=list(rows[0]) if rows else JOB_COLUMNS)[JOB_COLUMNS]


def cancel_job(actor: Actor, job_id: int) -> str:
    """Ask the worker to stop a job (a queued one is cancelled at once); returns its status afterwards.
    Needs a researcher or admin."""
    with get_session() as session:
        require(session, actor, "cancel_job")
        return queue.request_cancel(session, int(job_id))


def protocols() -> dict[str, str]:
    """Evaluation protocols (name → description), from the training config."""
    return dict(PROTOCOLS)


def training_defaults(tiny: bool = False) -> TrainingDefaults:
    """Laptop-sized default configs (or the seconds-long ``tiny`` preset), from the training dataclasses."""
    ablation = AblationConfig.tiny() if tiny else AblationConfig()
    return TrainingDefaults(
        ablation=ablation.to_dict(), encoder=ablation.encoder.to_dict(), sequence=ablation.sequence.to_dict()
    )
