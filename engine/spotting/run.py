"""A spotting run: features per video, LOSO spotting, and everything stored under ``runs/<run-id>/``.

Artefacts: ``intervals.csv`` (predicted, ``video,onset,offset,type,apex,score``), ``truth.csv`` (the
coding it was scored against, so ``glimpse spot-eval truth.csv intervals.csv`` reproduces the figures),
``spotting_log.txt`` (the MEGC spotting log), ``metrics.json`` (pooled report, per fold what the method
chose on its training subjects, config, SYNTHETIC flag) and ``curves.npz`` (per video frame numbers and
the method's curve, for the timeline). Metric rows: ``overall``, ``type:<t>``, ``video:<name>``.
The Run row and its rows are written at the end in one transaction, so a failed run leaves only its
Run row (status failed).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from db.queries import dataset_named
from db.schema import Metric
from db.session import session_scope
from engine.local_executor import Executor
from engine.progress import Cancelled, NullReporter, Reporter, SubReporter
from engine.spotting.catalog import dataset_signals
from engine.spotting.config import SpotConfig
from engine.spotting.intervals import Interval, write_intervals_csv
from engine.spotting.log import megc_dataset_number, write_spotting_log
from engine.spotting.loso import SpotResult, spot_loso
from engine.spotting.recognise import load_recognition_run, recognise_spots, write_strs
from engine.train.runs import add_artifact, create_run, finish_run, run_dir

RUN_KIND = "spotting"


@dataclass(frozen=True)
class SpotRunSummary:
    run_id: str
    dataset: str
    method: str
    synthetic: bool
    metrics: dict[str, Any]
    n_videos: int
    folder: str


def _write_artifacts(
    folder: Path,
    result: SpotResult,
    signals: list,
    truth: list[Interval],
    predictions: list[Interval],
    meta: dict[str, Any],
) -> list[tuple]:
    preds = write_intervals_csv(folder / "intervals.csv", predictions)
    truth_csv = write_intervals_csv(folder / "truth.csv", truth)
    log = write_spotting_log(
        folder / "spotting_log.txt", result.report, megc_dataset_number(str(meta["dataset"]))
    )
    curves = result.curves
    arrays: dict[str, Any] = {}
    for v in signals:
        arrays[f"frames_{v.clip_id}"] = np.asarray(v.numbers)
        arrays[f"curve_{v.clip_id}"] = np.asarray(curves[v.video], np.float32)
    curves_path = folder / "curves.npz"
    np.savez_compressed(curves_path, allow_pickle=False, **arrays)
    metrics = {
        **result.report.to_dict(),
        "by_video": {k: c.to_dict() for k, c in result.report.by_video.items()},
        "folds": {f.subject: f.params for f in result.folds},
        **meta,
    }
    metrics_path = folder / "metrics.json"
    metrics_path.write_text(json.dumps(metrics, indent=2, default=str), encoding="utf-8")
    return [
        ("intervals_csv", preds, {"n": len(predictions)}),
        ("truth_csv", truth_csv, {"n": len(truth)}),
        ("megc_log", log, {"format": "spotting"}),
        ("metrics", metrics_path, {}),
        ("frame_scores", curves_path, {"videos": {str(v.clip_id): v.video for v in signals}}),
    ]


def run_spotting(
    db_url: str,
    dataset: str,
    config: SpotConfig = SpotConfig(),
    executor: Executor | None = None,
    reporter: Reporter | None = None,
    job_id: int | None = None,
    recognition_run: str | None = None,
) -> SpotRunSummary:
    """Spot every recording of ``dataset`` by LOSO over its subjects and store the run; with
    ``recognition_run`` (a finished train/ablation child run) its classifier labels the spotted TPs
    and the run also stores STRS (spot-then-recognise)."""
    reporter = reporter or NullReporter()
    with session_scope(db_url) as session:
        synthetic = bool(dataset_named(session, dataset).is_synthetic)
        model = load_recognition_run(session, recognition_run) if recognition_run else None
    run_config = {**config.to_dict(), **({"recognition_run": recognition_run} if recognition_run else {})}
    run_id = create_run(
        db_url,
        RUN_KIND,
        run_config,
        [dataset],
        "cpu",
        config.method,
        config.seed,
        None,
        job_id,
        name=f"spot {config.method} · {dataset}",
    )
    started = time.perf_counter()
    try:
        reporter.log(f"spotting {dataset} with {config.method} (run {run_id})")
        with session_scope(db_url) as session:
            signals = dataset_signals(
                session, dataset, config.signal, executor, SubReporter(reporter, 0.0, 0.5)
            )
        reporter.log(f"{len(signals)} videos, {sum(v.n_frames for v in signals)} frames; LOSO folds next")
        result = spot_loso(signals, config, executor, SubReporter(reporter, 0.5, 0.95))
        meta: dict[str, Any] = {
            "dataset": dataset,
            "method": config.method,
            "synthetic": synthetic,
            "config": run_config,
        }
        rows = result.report.as_rows()
        extra: list[tuple] = []
        truth = [t for v in signals for t in v.truth]
        predictions = list(result.predictions)
        if model is not None:
            reporter.log(f"recognising the spotted intervals with run {model.run_id} ({model.variant})")
            with session_scope(db_url) as session:
                str_report, truth, predictions, recognised = recognise_spots(
                    session, model, truth, predictions, {v.video: int(v.clip_id or 0) for v in signals}
                )
            meta["str"] = str_report.to_dict()
            rows += [("str", k, float(v)) for k, v in str_report.summary().items()]
            path = write_strs(run_dir(run_id), str_report, recognised, model)
            extra.append(("strs", path, {"run": model.run_id}))
        artifacts = _write_artifacts(run_dir(run_id), result, signals, truth, predictions, meta) + extra
        with session_scope(db_url) as session:
            session.add_all(Metric(run_id=run_id, scope=s, name=n, value=float(v)) for s, n, v in rows)
            for kind, path, info in artifacts:
                add_artifact(session, run_id, kind, Path(path), info)
    except BaseException as error:
        cancelled = isinstance(error, Cancelled | KeyboardInterrupt)
        finish_run(db_url, run_id, "cancelled" if cancelled else "failed", started)
        raise
    finish_run(db_url, run_id, "succeeded", started)
    c = result.report.overall
    reporter.log(f"spotting F1 {c.f1:.3f} (TP {c.tp}, FP {c.fp}, FN {c.fn}) → run {run_id}")
    reporter.progress(1.0, "spotting done")
    metrics = {**result.report.to_dict(), **({"str": meta["str"]} if "str" in meta else {})}
    return SpotRunSummary(
        run_id, dataset, config.method, synthetic, metrics, len(signals), str(run_dir(run_id))
    )
