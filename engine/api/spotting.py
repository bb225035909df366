"""Spotting for the workbench: runs, their figures and timelines, accepting a spot, starting a run.

Each call is one short transaction; the work is in ``engine.spotting.results`` (reads of a run's own
files and rows) and ``engine.spotting.run`` (which a ``spot`` job runs).
"""

from __future__ import annotations

from engine.api.access import Actor, require, require_clip
from engine.api.jobs import enqueue_job
from engine.api.session import get_session
from engine.spotting import SPOTTERS, describe
from engine.spotting import results as _results
from engine.spotting.intervals import Interval
from engine.spotting.results import SpotRunDetail, SpotRunInfo, TimelineItem, VideoTimeline
from engine.spotting.spotted_clips import SpottedClips, promote_spotted

__all__ = [
    "Interval",
    "SpotRunDetail",
    "SpotRunInfo",
    "SpottedClips",
    "TimelineItem",
    "VideoTimeline",
    "accept_spot",
    "long_video_datasets",
    "spot_methods",
    "spot_run_detail",
    "spotted_clips",
    "spotting_runs",
    "submit_spotting",
    "video_timeline",
]


def spot_methods() -> dict[str, str]:
    """Method name → one-line description, from the registry (in registration order)."""
    return {name: describe(name) for name in SPOTTERS}


def spotting_runs(limit: int = 200) -> list[SpotRunInfo]:
    with get_session() as session:
        return _results.spotting_runs(session, limit)


def long_video_datasets() -> list[str]:
    with get_session() as session:
        return _results.long_video_datasets(session)


def spot_run_detail(run_id: str) -> SpotRunDetail:
    with get_session() as session:
        return _results.spot_run_detail(session, run_id)


def video_timeline(run_id: str, clip_id: int) -> VideoTimeline:
    with get_session() as session:
        return _results.video_timeline(session, run_id, clip_id)


def accept_spot(actor: Actor, run_id: str, clip_id: int, interval: Interval) -> int:
    """Store a predicted interval as the actor's own coding, with its provenance (method, run,
    threshold); the actor must be allowed to code the recording."""
    with get_session() as session:
        fresh = require_clip(session, actor, int(clip_id), "code")
        return _results.accept_spot(session, run_id, clip_id, interval, fresh.name)


def submit_spotting(actor: Actor, dataset: str, method: str, start_worker: bool = True) -> int:
    """Queue a ``spot`` job (a worker runs it) for ``actor`` and make sure a worker is alive."""
    return enqueue_job(actor, "spot", {"dataset": dataset, "method": method}, start_worker)


def spotted_clips(actor: Actor, run_id: str) -> SpottedClips:
    """Spot → code → recognise: the intervals accepted from spotting run ``run_id`` as clips of
    ``<dataset>-spotted`` (one transaction), ready to code on Annotate and to train / evaluate on with
    any ``--labels``. Derived from a finished run, like launching one: a researcher or admin (NotAllowed
    otherwise, nothing written)."""
    with get_session() as session:
        require(session, actor, "launch_job")
        return promote_spotted(session, run_id)
