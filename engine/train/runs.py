"""Storage of runs: the Run row, its folder under ``runs/<run-id>/`` and its Metric, Prediction and
Artifact rows. Results are written in ONE transaction at the end, so a failed run leaves only its Run
row (status failed), never half a set of predictions."""

from __future__ import annotations

import hashlib
import json
import secrets
import shutil
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from db import queries
from db.queries import catalog_snapshot
from db.schema import Artifact, Metric, Prediction, Run, utcnow
from db.session import session_scope
from engine.evaluate.export import write_megc_log, write_predictions_csv
from engine.evaluate.metrics import MetricReport, compute_metrics, pooled_and_per_group, unweighted_scores
from engine.paths import relative_to_home, runs_dir
from engine.provenance import code_version, environment
from engine.variants.contract import ClipInfo, FoldResult


def new_run_id() -> str:
    """Sortable and unique: ``20261125-103000-ab12cd``."""
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


def run_dir(run_id: str) -> Path:
    path = runs_dir() / run_id
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def preprocess_backend(session: Session, dataset_names: Sequence[str]) -> str:
    """Which face backend(s) produced the crops of these datasets, e.g. ``ground_truth`` or
    ``opencv+ground_truth`` (empty before any crop exists), so a run says what it really trained on."""
    datasets = queries.datasets_named(session, dataset_names)
    backends = {backend for d in datasets for backend in queries.crop_backends(session, d.id)}
    return "+".join(sorted(backends))


def create_run(
    db_url: str,
    kind: str,
    config: dict[str, Any],
    dataset_names: Sequence[str],
    device: str,
    variant: str = "",
    seed: int | None = None,
    parent_id: str | None = None,
    job_id: int | None = None,
    name: str = "",
    execution: dict[str, Any] | None = None,
) -> str:
    """Insert a Run (status running) with its provenance and write ``config.json``; returns its id.

    ``execution`` (the executor and its worker count) joins the recorded environment: it says how the
    work was spread, which never changes the numbers, so it is no part of the config.

    All or nothing: ``config.json`` is written whole (temp file + rename), and if anything fails (a full
    disk, a catalog that cannot answer) the run's folder is removed, so no folder exists without its row.
    """
    run_id = new_run_id()
    folder = run_dir(run_id)
    try:
        with session_scope(db_url) as session:
            is_synthetic = any(d.is_synthetic for d in queries.datasets_named(session, dataset_names))
            cfg_path = folder / "config.json"
            record = {
                "kind": kind,
                "variant": variant,
                "seed": seed,
                "config": config,
                "dataset_names": list(dataset_names),
                "code_version": code_version(),
                "environment": {**environment(device), **(execution or {})},
            }
            staged = folder / ".config.json.partial"
            staged.write_text(json.dumps(record, indent=2, sort_keys=True), encoding="utf-8")
            staged.replace(cfg_path)
            session.add(
                Run(
                    id=run_id,
                    parent_id=parent_id,
                    job_id=job_id,
                    kind=kind,
                    variant=variant,
                    seed=seed,
                    name=name or f"{kind} {variant}".strip(),
                    status="running",
                    config=config,
                    code_version=code_version(),
                    catalog_snapshot=catalog_snapshot(session),
                    dataset_names=list(dataset_names),
                    is_synthetic=bool(is_synthetic),
                    device=device,
                )
            )
            session.flush()
            session.add(
                Artifact(
                    run_id=run_id, kind="config", path=relative_to_home(cfg_path), sha256=_sha256(cfg_path)
                )
            )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return run_id


def discard_outputs(run_id: str) -> None:
    """Remove what a run that did not succeed wrote besides its ``config.json`` (checkpoints, features,
    half a predictions file): no row points at them, and on a full disk this is the space that lets
    its failure be recorded."""
    folder = runs_dir() / run_id
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.name == "config.json":
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def finish_run(db_url: str, run_id: str, status: str, started: float) -> None:
    with session_scope(db_url) as session:
        run = session.get_one(Run, run_id)
        run.status = status
        run.preprocess_backend = preprocess_backend(session, run.dataset_names)
        run.wall_time_s = time.perf_counter() - started
        run.finished_at = utcnow()


def add_artifact(session: Session, run_id: str, kind: str, path: Path, meta: dict | None = None) -> None:
    session.add(
        Artifact(run_id=run_id, kind=kind, path=relative_to_home(path), sha256=_sha256(path), meta=meta or {})
    )


def record_loso(
    db_url: str,
    run_id: str,
    clips: Sequence[ClipInfo],
    results: Sequence[FoldResult],
    labels: Sequence[str],
    extra_artifacts: Sequence[tuple[str, Path, dict]] = (),
) -> tuple[MetricReport, dict[str, float]]:
    """Pool the folds' predictions, write files and rows; returns (overall report, per-fold UF1)."""
    info = {c.clip_id: c for c in clips}
    folder = run_dir(run_id)
    ids = [cid for r in results for cid in r.clip_ids]
    truth = [t for r in results for t in r.truth]
    pred = [p for r in results for p in r.predicted]
    probs = [row for r in results for row in np.asarray(r.probs)]
    folds = [r.test_subject for r in results for _ in r.clip_ids]
    reports = pooled_and_per_group(truth, pred, folds, labels)
    overall = reports["overall"]
    by_dataset = pooled_and_per_group(truth, pred, [info[c].dataset for c in ids], labels)

    rows = list(overall.as_rows("overall"))
    rows += [row for s, rep in reports.items() if s != "overall" for row in rep.as_rows(f"fold:{s}")[:3]]
    if len(by_dataset) > 2:
        rows += [
            row for s, rep in by_dataset.items() if s != "overall" for row in rep.as_rows(f"dataset:{s}")[:3]
        ]
    elif len(by_dataset) == 2:
        name = next(k for k in by_dataset if k != "overall")
        rows += overall.as_rows(f"dataset:{name}")[:3]

    megc = folder / "megc_log.txt"
    write_megc_log(
        megc,
        [
            (info[c].dataset, info[c].subject.split("/", 1)[-1], info[c].name, t, p)
            for c, t, p in zip(ids, truth, pred, strict=True)
        ],
    )
    csv_path = folder / "predictions.csv"
    write_predictions_csv(
        csv_path,
        [
            {
                "clip_id": c,
                "dataset": info[c].dataset,
                "subject": info[c].subject.split("/", 1)[-1],
                "file": info[c].name,
                "truth": t,
                "prediction": p,
                **{f"p_{lab}": round(float(pr[i]), 6) for i, lab in enumerate(labels)},
            }
            for c, t, p, pr in zip(ids, truth, pred, probs, strict=True)
        ],
    )
    arrays: dict[str, np.ndarray] = {}
    for r in results:
        for c in r.clip_ids:
            if c in r.frame_features:
                arrays[f"feat_{c}"] = np.asarray(r.frame_features[c], np.float32)
            if c in r.frame_scores:
                arrays[f"scores_{c}"] = np.asarray(r.frame_scores[c], np.float32)
            if c in r.frame_numbers:
                arrays[f"frames_{c}"] = np.asarray(r.frame_numbers[c])
    traj = folder / "trajectories.npz"
    np.savez_compressed(traj, allow_pickle=False, labels=np.array(list(labels)), **arrays)
    (folder / "metrics.json").write_text(json.dumps(overall.to_dict(), indent=2), encoding="utf-8")

    with session_scope(db_url) as session:
        session.add_all(Metric(run_id=run_id, scope=s, name=n, value=float(v)) for s, n, v in rows)
        session.add_all(
            Prediction(
                run_id=run_id,
                clip_id=c,
                fold=f,
                truth=t,
                predicted=p,
                probs={lab: float(pr[i]) for i, lab in enumerate(labels)},
            )
            for c, f, t, p, pr in zip(ids, folds, truth, pred, probs, strict=True)
        )
        add_artifact(session, run_id, "megc_log", megc)
        add_artifact(session, run_id, "predictions_csv", csv_path)
        add_artifact(session, run_id, "frame_scores", traj, {"labels": list(labels), "n_clips": len(ids)})
        for kind, path, meta in extra_artifacts:
            add_artifact(session, run_id, kind, Path(path), meta)
    fold_uf1 = {s: rep.uf1 for s, rep in reports.items() if s != "overall"}
    return overall, fold_uf1


def chance_levels(
    truth: Sequence[str], labels: Sequence[str], seed: int = 0, draws: int = 200
) -> dict[str, float]:
    """UF1/UAR of a uniform-random predictor (mean over draws) and of the majority-class predictor."""
    rng = np.random.default_rng(seed)
    index = {lab: i for i, lab in enumerate(labels)}
    truth_idx = np.array([index[t] for t in truth], dtype=np.int64)
    # one draw per call, as the stream has always been drawn (the same chance levels as before)
    uni = [
        unweighted_scores(truth_idx, rng.choice(len(labels), len(truth)), len(labels)) for _ in range(draws)
    ]
    majority = max(labels, key=lambda lab: list(truth).count(lab))
    maj = compute_metrics(truth, [majority] * len(truth), labels)
    return {
        "uniform_uf1": float(np.mean([uf1 for uf1, _ in uni])),
        "uniform_uar": float(np.mean([uar for _, uar in uni])),
        "majority_uf1": maj.uf1,
        "majority_uar": maj.uar,
    }
