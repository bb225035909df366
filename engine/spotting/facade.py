"""Session-less spotting calls for the workbench (the page never opens sessions or reads SQL).

Each call is one short transaction on the configured catalog. When the ``engine.api`` package lands,
these move into ``engine/api/spotting.py`` unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from db.session import default_url, session_scope
from engine.jobs.queue import enqueue
from engine.jobs.worker import ensure_worker
from engine.spotting import DESCRIPTIONS, SPOTTERS
from engine.spotting import results as _results
from engine.spotting.intervals import Interval


@contextmanager
def _session() -> Iterator[Session]:
    with session_scope(default_url()) as session:
        yield session


def spot_methods() -> dict[str, str]:
    """Method name → one-line description, from the registry."""
    return {name: DESCRIPTIONS.get(name, "") for name in sorted(SPOTTERS)}


def spotting_runs(limit: int = 200) -> list[_results.SpotRunInfo]:
    with _session() as session:
        return _results.spotting_runs(session, limit)


def long_video_datasets() -> list[str]:
    with _session() as session:
        return _results.long_video_datasets(session)


def spot_run_detail(run_id: str) -> _results.SpotRunDetail:
    with _session() as session:
        return _results.spot_run_detail(session, run_id)


def video_timeline(run_id: str, clip_id: int) -> _results.VideoTimeline:
    with _session() as session:
        return _results.video_timeline(session, run_id, clip_id)


def accept_spot(run_id: str, clip_id: int, interval: Interval, annotator: str) -> int:
    with _session() as session:
        return _results.accept_spot(session, run_id, clip_id, interval, annotator)


def submit_spotting(dataset: str, method: str, start_worker: bool = True) -> int:
    """Queue a ``spot`` job (a worker runs it) and make sure a worker is alive."""
    with _session() as session:
        job_id = enqueue(session, "spot", {"dataset": dataset, "method": method})
    if start_worker:
        ensure_worker()
    return job_id
