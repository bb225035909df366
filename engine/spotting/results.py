"""What the Spotting page (and the facade) read of spotting runs, and accepting a spot as an interval.

Outcomes (TP / FP / FN) are recomputed from the run's own ``truth.csv`` and ``intervals.csv`` with the
same matching as its metrics, so the timeline's colours always agree with the run's figures; a finished
run's files never change.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from db import queries
from db.queries import add_interval, recording_stats
from db.schema import Clip, Run
from engine.errors import GlimpseError
from engine.paths import glimpse_home, resolve_within
from engine.spotting.curves import threshold
from engine.spotting.intervals import Interval, read_intervals_csv
from engine.spotting.metrics import DEFAULT_MATCHING, Outcome, evaluate_spotting
from engine.spotting.run import RUN_KIND


@dataclass(frozen=True)
class SpotRunInfo:
    id: str
    dataset: str
    method: str
    status: str
    synthetic: bool
    f1: float | None
    created: datetime


@dataclass(frozen=True)
class SpotRunDetail:
    info: SpotRunInfo
    metrics: dict[str, Any]  # metrics.json: tp, fp, fn, precision, recall, f1, by_type, by_video, folds
    videos: dict[int, str]  # clip id → video name
    files: dict[str, Path]  # artefact kind → file (downloads)


@dataclass(frozen=True)
class TimelineItem:
    """One bar of the timeline: a truth (TP-matched or FN) or a prediction (TP or FP)."""

    lane: str  # truth | prediction
    result: str  # TP | FP | FN
    onset: int
    offset: int
    type: str
    apex: int | None
    score: float | None
    iou: float


@dataclass(frozen=True)
class VideoTimeline:
    clip_id: int
    video: str
    subject: str
    fps: float
    frames: np.ndarray = field(repr=False)
    curve: np.ndarray = field(repr=False)
    items: tuple[TimelineItem, ...] = ()
    thresholds: dict[str, float] = field(default_factory=dict)  # interval type → cut on ``curve``


def curve_thresholds(chosen: dict[str, Any], curve: np.ndarray) -> dict[str, float]:
    """Where the method cut the plotted curve, per interval type, from what it chose on the video's
    training subjects (metrics.json ``folds``): a probability threshold ``tau`` as it is; a baseline's
    ``p`` as mean + p·(max − mean) of this video's curve — for micro only, since the curve plotted is
    the micro half-window's (a macro cut lies on another curve)."""
    out: dict[str, float] = {}
    for kind, params in chosen.items():
        if not isinstance(params, dict):
            continue
        if params.get("tau") is not None:
            out[kind] = float(params["tau"])
        elif params.get("p") is not None and kind == "micro" and len(curve):
            out[kind] = threshold(curve, float(params["p"]))
    return out


def _info(run: Run, f1: float | None) -> SpotRunInfo:
    dataset = str((run.dataset_names or [""])[0])
    return SpotRunInfo(run.id, dataset, run.variant, run.status, bool(run.is_synthetic), f1, run.created_at)


def spotting_runs(session: Session, limit: int = 200) -> list[SpotRunInfo]:
    """Spotting runs, newest first, with their overall F1."""
    runs = queries.runs_of_kind(session, RUN_KIND, limit)
    overall = queries.overall_metrics(session, [r.id for r in runs])
    return [_info(r, overall.get(r.id, {}).get("f1")) for r in runs]


def long_video_datasets(session: Session) -> list[str]:
    """Names of the datasets that hold recordings (what a spotting job can run on)."""
    stats = recording_stats(session)
    ids = [i for i, s in stats.items() if s["videos"]]
    return queries.names_of_datasets(session, ids)


def _run(session: Session, run_id: str) -> Run:
    run = session.get(Run, run_id)
    if run is None or run.kind != RUN_KIND:
        raise GlimpseError(f"no spotting run {run_id!r}", hint="pick one from the list")
    return run


def spot_run_detail(session: Session, run_id: str) -> SpotRunDetail:
    run = _run(session, run_id)
    files = {a.kind: resolve_within(glimpse_home(), a.path) for a in queries.run_artifacts(session, run_id)}
    if "metrics" not in files or not files["metrics"].is_file():
        raise GlimpseError(f"spotting run {run_id} has no metrics yet", hint=f"its status is {run.status}")
    metrics = json.loads(files["metrics"].read_text(encoding="utf-8"))
    scores = queries.run_artifact(session, run_id, "frame_scores")
    meta = scores.meta if scores is not None else None
    videos = {int(k): v for k, v in ((meta or {}).get("videos") or {}).items()}
    return SpotRunDetail(_info(run, metrics.get("f1")), metrics, videos, files)


def outcomes(detail: SpotRunDetail) -> list[Outcome]:
    """Every TP / FP / FN line of the run (its MEGC log's lines), re-scored from its own CSVs."""
    truth, preds = (
        read_intervals_csv(detail.files["truth_csv"]),
        read_intervals_csv(detail.files["intervals_csv"]),
    )
    matching = str(detail.metrics.get("matching", DEFAULT_MATCHING))
    return list(evaluate_spotting(truth, preds, matching).outcomes)


def _with_extras(path: Path) -> dict[tuple[str, int, int], tuple[int | None, float | None]]:
    """(video, onset, offset) → (apex, score) from an intervals CSV's optional columns."""
    out = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            apex = int(row["apex"]) if row.get("apex") else None
            score = float(row["score"]) if row.get("score") else None
            out[(row["video"], int(row["onset"]), int(row["offset"]))] = (apex, score)
    return out


def video_timeline(session: Session, run_id: str, clip_id: int) -> VideoTimeline:
    """The curve, truth and predictions (coloured by outcome) of one video of a run."""
    detail = spot_run_detail(session, run_id)
    if clip_id not in detail.videos:
        raise GlimpseError(f"video {clip_id} is not part of spotting run {run_id}")
    video = detail.videos[clip_id]
    clip = session.get(Clip, clip_id)
    curves = np.load(detail.files["frame_scores"])
    extras = _with_extras(detail.files["intervals_csv"]) | _with_extras(detail.files["truth_csv"])
    items = []
    drawn: set[tuple[str, int, int]] = set()
    for o in outcomes(detail):
        if o.video != video:
            continue
        for lane, interval in (("truth", o.truth), ("prediction", o.pred)):
            # a truth found by two predictions is on two log lines, but is one bar
            if interval is None or (lane, interval.onset, interval.offset) in drawn:
                continue
            drawn.add((lane, interval.onset, interval.offset))
            apex, score = extras.get((video, interval.onset, interval.offset), (None, None))
            items.append(
                TimelineItem(
                    lane, o.result, interval.onset, interval.offset, interval.type, apex, score, o.iou
                )
            )
    subject = clip.subject.code if clip is not None else ""
    curve = curves[f"curve_{clip_id}"]
    return VideoTimeline(
        clip_id,
        video,
        subject,
        float(clip.fps or 0.0) if clip is not None else 0.0,
        curves[f"frames_{clip_id}"],
        curve,
        tuple(sorted(items, key=lambda i: (i.onset, i.lane))),
        curve_thresholds(detail.metrics.get("folds", {}).get(subject, {}), curve),
    )


def accept_spot(session: Session, run_id: str, clip_id: int, interval: Interval, annotator: str) -> int:
    """Store a predicted interval as ``annotator``'s interval of the recording, with its provenance
    (method, run, what the method chose on its training subjects — the threshold — and the peak score)."""
    detail = spot_run_detail(session, run_id)
    if clip_id not in detail.videos:
        raise GlimpseError(f"video {clip_id} is not part of spotting run {run_id}")
    clip = session.get(Clip, clip_id)
    subject = clip.subject.code if clip is not None else ""
    provenance = {
        "method": detail.info.method,
        "run": run_id,
        "threshold": detail.metrics.get("folds", {}).get(subject, {}).get(interval.type, {}),
        "score": interval.score,
        "dataset": detail.info.dataset,
        "synthetic": detail.info.synthetic,
    }
    row = add_interval(
        session,
        clip_id,
        annotator,
        interval.onset,
        interval.offset,
        interval.type,
        apex=interval.apex,
        provenance=provenance,
    )
    return int(row.id)
