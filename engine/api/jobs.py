"""Jobs: queue one (the worker does the work), watch its progress and log, cancel it."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pandas as pd
from sqlalchemy import select

from db.schema import (
    Job,
    JobLog,
)
from engine.api.session import get_session
from engine.errors import GlimpseError

JOB_KINDS = ("synth", "ingest", "preprocess", "train", "ablation", "evaluate", "sleep")


def enqueue_job(kind: str, params: dict[str, Any], start_worker: bool = True) -> int:
    """Queue a job row (the worker does the work) and make sure a worker is alive to claim it."""
    if kind not in JOB_KINDS:
        raise GlimpseError(f"unknown job kind {kind!r}", hint=f"one of {', '.join(JOB_KINDS)}")
    with get_session() as session:
        try:
            from engine.jobs.queue import enqueue

            job = enqueue(session, kind, params)
            session.flush()
            job_id = int(getattr(job, "id", job))
        except ImportError:
            job = Job(kind=kind, params=dict(params), status="queued")
            session.add(job)
            session.flush()
            job_id = job.id
    if start_worker:
        ensure_worker()
    return job_id


def synth_params(tiny: bool, seed: int = 0) -> dict[str, Any]:
    """Parameters of a ``synth`` job: the SynthConfig fields that differ from the default."""
    from engine.synth.config import SynthConfig

    config = SynthConfig.tiny(seed) if tiny else SynthConfig(seed=seed)
    default = SynthConfig()
    return {k: v for k, v in asdict(config).items() if getattr(default, k) != v} | {"seed": seed}


def ensure_worker() -> bool:
    """Start a background worker if none heartbeated recently; False when the job system is missing."""
    try:
        from engine.jobs.worker import ensure_worker as _ensure
    except ImportError:
        return False
    _ensure()
    return True


def _job_dict(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "progress": job.progress,
        "message": job.message,
        "error": job.error,
        "result": job.result,
        "params": job.params,
        "created": job.created_at,
        "started": job.started_at,
        "finished": job.finished_at,
        "cancel_requested": job.cancel_requested,
    }


def job_status(job_id: int) -> dict[str, Any]:
    with get_session() as session:
        job = session.get(Job, int(job_id))
        if job is None:
            raise GlimpseError(f"job {job_id} does not exist")
        return _job_dict(job)


def job_logs(job_id: int, tail: int = 30) -> list[str]:
    with get_session() as session:
        lines = session.scalars(
            select(JobLog.line).where(JobLog.job_id == int(job_id)).order_by(JobLog.id.desc()).limit(tail)
        )
        return list(reversed(list(lines)))


def recent_jobs(limit: int = 20) -> pd.DataFrame:
    with get_session() as session:
        jobs = session.scalars(select(Job).order_by(Job.id.desc()).limit(limit))
        rows = [_job_dict(j) for j in jobs]
    columns = ["id", "kind", "status", "progress", "message", "created", "finished"]
    return pd.DataFrame(rows, columns=list(rows[0]) if rows else columns)[columns]


def cancel_job(job_id: int) -> None:
    """Ask the worker to stop a job (queued jobs are cancelled at once)."""
    with get_session() as session:
        try:
            from engine.jobs.queue import request_cancel

            request_cancel(session, int(job_id))
            return
        except ImportError:
            pass
        job = session.get(Job, int(job_id))
        if job is None:
            raise GlimpseError(f"job {job_id} does not exist")
        job.cancel_requested = True
        if job.status == "queued":
            job.status = "cancelled"


def training_defaults(tiny: bool = False) -> dict[str, dict[str, Any]]:
    """Laptop-sized default configs (or the seconds-long ``tiny`` preset), from the training dataclasses."""
    try:
        from engine.train.config import AblationConfig
    except ImportError:
        return {}
    ablation = AblationConfig.tiny() if tiny else AblationConfig()
    return {
        "AblationConfig": ablation.to_dict(),
        "EncoderStageConfig": ablation.encoder.to_dict(),
        "SequenceConfig": ablation.sequence.to_dict(),
    }
