"""The facade the workbench calls: small, read-mostly functions returning plain data (dicts, frames).

Why a facade: page scripts must never train or preprocess, and must not know the catalog's session
rules or where files live. Each function opens its own short transaction, so a Streamlit rerun never
holds a session or a lock. Functions owned by other parts (queries, job queue, caches) are imported
lazily so the workbench still opens while a part is missing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.schema import (
    Annotation,
    Artifact,
    Clip,
    Dataset,
    Frame,
    Job,
    JobLog,
    Metric,
    Prediction,
    Run,
    Subject,
)
from db.session import default_url, session_scope
from engine.annotate.agreement import AgreementReport, Coding, agreement_report
from engine.annotate.apex import ApexSuggestion, suggest_from_features, suggest_from_frames
from engine.errors import GlimpseError
from engine.paths import glimpse_home, resolve_within

LABELS_ME = ("negative", "positive", "surprise")
EMOTIONS = (
    "happiness",
    "surprise",
    "disgust",
    "repression",
    "anger",
    "contempt",
    "fear",
    "sadness",
    "others",
)
FACS_AUS = (1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 17, 20, 23, 24, 25, 26, 45)
AU_CHOICES = tuple(f"{side}{au}" for au in FACS_AUS for side in ("", "L", "R"))
JOB_KINDS = ("synth", "ingest", "preprocess", "train", "ablation", "evaluate", "sleep")


@contextmanager
def get_session() -> Iterator[Session]:
    """One short transaction on the configured catalog (migrated on first use)."""
    with session_scope(default_url()) as session:
        yield session


def catalog_location() -> str:
    """Where the catalog is (shown in the sidebar); passwords in URLs are hidden."""
    from sqlalchemy.engine import make_url

    return make_url(default_url()).render_as_string(hide_password=True)


# ---------------------------------------------------------------- datasets and clips


def datasets() -> pd.DataFrame:
    """One row per dataset: counts, fps, purpose, SYNTHETIC flag and label counts."""
    from db.queries import dataset_stats

    with get_session() as session:
        frame = pd.DataFrame(dataset_stats(session))
    if frame.empty:
        return pd.DataFrame(columns=["name", "format", "purpose", "synthetic", "clips", "subjects", "frames"])
    return frame.rename(columns={"is_synthetic": "synthetic"})


_CLIP_COLUMNS = [
    "id", "dataset", "subject", "name", "label", "emotion", "onset", "apex", "offset",
    "n_frames", "n_annotators", "agreement", "synthetic",
]  # fmt: skip


def clips(
    filters: dict[str, Any] | None = None, page: int = 0, page_size: int = 100
) -> tuple[pd.DataFrame, int]:
    """A page of clips and the total; filters: dataset, subject_id, label, annotator, min/max_agreement."""
    from db.queries import ClipFilter, list_clips

    f = {k: v for k, v in (filters or {}).items() if v not in (None, "", [])}
    flt = ClipFilter(
        dataset_names=[f["dataset"]] if "dataset" in f else (),
        subject_ids=[int(f["subject_id"])] if "subject_id" in f else (),
        labels=[f["label"]] if "label" in f else (),
        annotator=f.get("annotator"),
        min_agreement=f.get("min_agreement"),
        max_agreement=f.get("max_agreement"),
    )
    with get_session() as session:
        result = list_clips(session, flt, page, page_size)
    return pd.DataFrame(result.rows, columns=_CLIP_COLUMNS), result.total


def _clip_row(c: Clip) -> dict[str, Any]:
    return {
        "id": c.id,
        "dataset": c.dataset.name,
        "subject": c.subject.code,
        "name": c.name,
        "label": c.label,
        "emotion": c.emotion_raw,
        "onset": c.onset,
        "apex": c.apex,
        "offset": c.offset,
        "n_frames": c.n_frames,
        "n_annotators": c.n_annotators,
        "agreement": c.agreement,
        "synthetic": c.dataset.is_synthetic,
    }


def filter_options() -> dict[str, Any]:
    """Values the Clips filters offer: dataset names, subjects (id → "dataset/code"), labels, annotators."""
    with get_session() as session:
        subjects = session.execute(
            select(Subject.id, Dataset.name, Subject.code).join(Dataset).order_by(Dataset.name, Subject.code)
        ).all()
        return {
            "dataset": list(session.scalars(select(Dataset.name).order_by(Dataset.name))),
            "subject": {sid: f"{ds}/{code}" for sid, ds, code in subjects},
            "label": sorted({x for x in session.scalars(select(Clip.label).distinct()) if x}),
            "annotator": sorted(set(session.scalars(select(Annotation.annotator).distinct()))),
        }


def clip_names(clip_ids: Sequence[int]) -> dict[int, str]:
    """``dataset/subject/clip`` of each id (for pickers)."""
    with get_session() as session:
        rows = session.execute(
            select(Clip.id, Dataset.name, Subject.code, Clip.name)
            .join(Dataset, Dataset.id == Clip.dataset_id)
            .join(Subject, Subject.id == Clip.subject_id)
            .where(Clip.id.in_([int(c) for c in clip_ids]))
        ).all()
    return {cid: f"{ds}/{sub}/{name}" for cid, ds, sub, name in rows}


def _clip(session: Session, clip_id: int) -> Clip:
    clip = session.get(Clip, int(clip_id))
    if clip is None:
        raise GlimpseError(f"clip {clip_id} is not in the catalog", hint="pick a clip from the Clips table")
    return clip


def clip_detail(clip_id: int) -> dict[str, Any]:
    """The clip's coding, its dataset, its frame numbers and everyone's annotations."""
    with get_session() as session:
        clip = _clip(session, clip_id)
        numbers = list(
            session.scalars(select(Frame.number).where(Frame.clip_id == clip.id).order_by(Frame.index))
        )
        row = _clip_row(clip)
        row.update(
            fps=clip.fps or clip.dataset.fps,
            frame_numbers=numbers,
            action_units=clip.action_units,
            apex_estimated=clip.apex_estimated,
            dataset_format=clip.dataset.format,
        )
        return row


def _frame_path(session: Session, clip_id: int, frame_number: int) -> Path:
    clip = _clip(session, clip_id)
    rel = session.scalar(
        select(Frame.path).where(Frame.clip_id == clip.id, Frame.number == int(frame_number))
    )
    if rel is None:
        raise GlimpseError(
            f"clip {clip_id} has no frame number {frame_number}", hint="pick a frame on the slider"
        )
    return resolve_within(clip.dataset.root, rel)


def _read_rgb(path: Path) -> np.ndarray:
    import cv2

    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise GlimpseError(
            "cannot read the frame image", where=str(path), hint="is the dataset folder still there?"
        )
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def frame_image(clip_id: int, frame_number: int) -> np.ndarray:
    """The original frame (RGB uint8), read under the dataset root only."""
    with get_session() as session:
        path = _frame_path(session, clip_id, frame_number)
    return _read_rgb(path)


def landmarks(clip_id: int, frame_number: int) -> dict[str, Any] | None:
    """Ground-truth box and 68 landmarks for a frame (``glimpse_landmarks.json`` beside the frames)."""
    with get_session() as session:
        path = _frame_path(session, clip_id, frame_number)
    file = path.parent / "glimpse_landmarks.json"
    if not file.exists():
        return None
    try:
        data = json.loads(file.read_text())
    except (OSError, ValueError) as error:
        raise GlimpseError(f"cannot parse landmarks: {error}", where=str(file)) from error
    entry = data.get("frames", {}).get(path.name)
    if entry is None:
        return None
    return {
        "format": data.get("format", "ibug68"),
        "box": entry.get("box"),
        "landmarks": entry.get("landmarks"),
    }


def face_crops(clip_id: int) -> dict[str, Any]:
    """The clip's aligned face crops (T, S, S) and the backend that made them.

    Read from the content-addressed cache when preprocessing already ran; otherwise made once for this
    one clip (ground-truth boxes or a single detection then tracking: a fraction of a second) and cached.
    """
    from engine.preprocess.cache import clip_crops

    with get_session() as session:
        _clip(session, clip_id)
        crop_set = clip_crops(session, int(clip_id))
    return {
        "crops": crop_set.frames,
        "backend": crop_set.backend,
        "frame_numbers": list(crop_set.frame_numbers),
    }


def clip_faces(clip_id: int) -> dict[str, Any]:
    """Face images for the player, difference image and apex curve (alias kept for the pages)."""
    return face_crops(clip_id)


def difference_image(clip_id: int, gain: float = 8.0) -> dict[str, Any]:
    """Amplified |apex - onset| of the face: a subtle ME becomes visible (uint8 gray image)."""
    detail = clip_detail(clip_id)
    faces = clip_faces(clip_id)
    numbers: list[int] = faces["frame_numbers"]
    if len(numbers) < 2:
        raise GlimpseError(f"clip {clip_id} has fewer than two frames", hint="no difference to show")
    onset = detail["onset"] if detail["onset"] in numbers else numbers[0]
    apex = detail["apex"] if detail["apex"] in numbers else numbers[len(numbers) // 2]
    crops = faces["crops"].astype(np.float32)
    diff = np.abs(crops[numbers.index(apex)] - crops[numbers.index(onset)])
    image = np.clip(diff * gain, 0, 255).astype(np.uint8)
    return {"image": image, "onset": onset, "apex": apex, "gain": gain, "backend": faces["backend"]}


def annotations(clip_id: int) -> pd.DataFrame:
    """Every annotator's coding of a clip (the dataset's own is annotator ``source``)."""
    with get_session() as session:
        rows = session.scalars(
            select(Annotation).where(Annotation.clip_id == int(clip_id)).order_by(Annotation.id)
        )
        data = [
            {
                "annotator": a.annotator,
                "onset": a.onset,
                "apex": a.apex,
                "offset": a.offset,
                "action_units": a.action_units,
                "emotion": a.emotion,
                "label": a.label,
                "updated": a.updated_at,
            }
            for a in rows
        ]
    return pd.DataFrame(
        data, columns=["annotator", "onset", "apex", "offset", "action_units", "emotion", "label", "updated"]
    )


def annotators() -> list[str]:
    with get_session() as session:
        return sorted(set(session.scalars(select(Annotation.annotator).distinct())))


def save_annotation(
    clip_id: int,
    annotator: str,
    onset: int | None,
    apex: int | None,
    offset: int | None,
    action_units: str = "",
    emotion: str = "",
    notes: str = "",
) -> int:
    """Create or update the one annotation of ``annotator`` on a clip; returns its id.

    The label is derived from the emotion with the dataset's MEGC 2019 mapping. ``db.queries`` refuses an
    empty name, marks outside the clip and onset ≤ apex ≤ offset violations (GlimpseError, nothing written).
    """
    from db.queries import save_annotation as _save
    from engine.ingest.labels import megc_label

    with get_session() as session:
        clip = _clip(session, clip_id)
        label = megc_label(clip.dataset.format, emotion) if emotion else None
        row = _save(
            session,
            clip_id=int(clip_id),
            annotator=annotator,
            onset=onset,
            apex=apex,
            offset=offset,
            action_units=action_units,
            emotion=emotion,
            label=label,
            notes=notes,
        )
        return int(row.id)


def codings(dataset: str | None = None) -> list[Coding]:
    """All annotations as agreement inputs (optionally of one dataset)."""
    with get_session() as session:
        query = select(Annotation)
        if dataset:
            query = query.join(Clip).join(Dataset).where(Dataset.name == dataset)
        return [
            Coding(a.clip_id, a.annotator, a.label, a.onset, a.apex, a.offset) for a in session.scalars(query)
        ]


def agreement(annotator_a: str, annotator_b: str, dataset: str | None = None) -> AgreementReport:
    """Cohen's kappa, apex distance and IoU of two annotators; Fleiss' kappa over clips with >= 3."""
    if annotator_a == annotator_b:
        raise GlimpseError("pick two different annotators")
    return agreement_report(codings(dataset), annotator_a, annotator_b)


def suggest_apex(clip_id: int) -> ApexSuggestion:
    """Apex from the face-difference curve between onset and offset (cheap: reads cached/GT crops)."""
    detail = clip_detail(clip_id)
    faces = clip_faces(clip_id)
    return suggest_from_frames(
        faces["crops"],
        faces["frame_numbers"],
        detail["onset"],
        detail["offset"],
        source=f"{faces['backend']} crop",
    )


def suggest_apex_from_features(run_id: str, clip_id: int) -> ApexSuggestion:
    data = trajectories(run_id, clip_id)
    return suggest_from_features(data["features"], data["frames"])


# ---------------------------------------------------------------- jobs


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


# ---------------------------------------------------------------- runs and results


def _overall(session: Session, run_ids: Sequence[str]) -> dict[str, dict[str, float]]:
    rows = session.execute(
        select(Metric.run_id, Metric.name, Metric.value).where(
            Metric.run_id.in_(run_ids), Metric.scope == "overall"
        )
    )
    out: dict[str, dict[str, float]] = {}
    for run_id, name, value in rows:
        out.setdefault(run_id, {})[name] = value
    return out


def runs(limit: int = 200) -> pd.DataFrame:
    """Runs, newest first, with overall UF1/UAR and the SYNTHETIC flag."""
    with get_session() as session:
        items = list(session.scalars(select(Run).order_by(Run.created_at.desc()).limit(limit)))
        metrics = _overall(session, [r.id for r in items])
        rows = [
            {
                "id": r.id,
                "kind": r.kind,
                "variant": r.variant,
                "name": r.name,
                "parent": r.parent_id,
                "seed": r.seed,
                "status": r.status,
                "datasets": ", ".join(map(str, r.dataset_names or [])),
                "synthetic": "SYNTHETIC" if r.is_synthetic else "",
                "wall_time_s": r.wall_time_s,
                "uf1": metrics.get(r.id, {}).get("uf1"),
                "uar": metrics.get(r.id, {}).get("uar"),
                "created": r.created_at,
            }
            for r in items
        ]
    columns = [
        "id",
        "kind",
        "variant",
        "name",
        "parent",
        "seed",
        "status",
        "datasets",
        "synthetic",
        "wall_time_s",
        "uf1",
        "uar",
        "created",
    ]
    return pd.DataFrame(rows, columns=columns)


def _labels_of(values: Sequence[str]) -> list[str]:
    """The three ME classes always (a 3×3 matrix even if a class was never predicted), then any others."""
    return list(LABELS_ME) + sorted(set(values) - set(LABELS_ME))


def run_detail(run_id: str) -> dict[str, Any]:
    """A run's metrics (all scopes), confusion matrix (rows = truth) and config."""
    from sklearn.metrics import confusion_matrix

    with get_session() as session:
        run = session.get(Run, run_id)
        if run is None:
            raise GlimpseError(f"run {run_id!r} is not in the catalog", hint="pick a run from the table")
        metric_rows = [
            {"scope": m.scope, "name": m.name, "value": m.value}
            for m in session.scalars(select(Metric).where(Metric.run_id == run_id).order_by(Metric.id))
        ]
        preds = session.execute(
            select(Prediction.truth, Prediction.predicted, Prediction.fold).where(Prediction.run_id == run_id)
        ).all()
        info = {
            "id": run.id,
            "kind": run.kind,
            "variant": run.variant,
            "name": run.name,
            "status": run.status,
            "seed": run.seed,
            "synthetic": run.is_synthetic,
            "datasets": list(run.dataset_names or []),
            "config": run.config,
            "code_version": run.code_version,
            "device": run.device,
            "preprocess_backend": run.preprocess_backend,
            "wall_time_s": run.wall_time_s,
        }
    metrics = pd.DataFrame(metric_rows, columns=["scope", "name", "value"])
    truth = [p[0] for p in preds]
    predicted = [p[1] for p in preds]
    labels = _labels_of(truth + predicted)
    matrix = confusion_matrix(truth, predicted, labels=labels) if preds else np.zeros((len(labels),) * 2, int)
    overall = metrics[metrics.scope == "overall"].set_index("name")["value"].to_dict()
    return {
        "run": info,
        "metrics": metrics,
        "overall": overall,
        "labels": labels,
        "confusion": matrix,
        "n_predictions": len(preds),
    }


def cell_clips(run_id: str, truth: str, predicted: str) -> pd.DataFrame:
    """The clips behind one confusion-matrix cell of a run."""
    with get_session() as session:
        rows = session.execute(
            select(
                Clip.id,
                Dataset.name,
                Subject.code,
                Clip.name,
                Prediction.fold,
                Prediction.truth,
                Prediction.predicted,
            )
            .join(Prediction, Prediction.clip_id == Clip.id)
            .join(Dataset, Dataset.id == Clip.dataset_id)
            .join(Subject, Subject.id == Clip.subject_id)
            .where(Prediction.run_id == run_id, Prediction.truth == truth, Prediction.predicted == predicted)
            .order_by(Clip.id)
        ).all()
    return pd.DataFrame(rows, columns=["clip_id", "dataset", "subject", "clip", "fold", "truth", "predicted"])


VARIANT_ORDER = ("fir", "er", "mixt", "full", "lbptop", "flowcnn")


def ablations() -> pd.DataFrame:
    """Ablation parent runs (for the Compare picker)."""
    frame = runs(limit=1000)
    return frame[frame.kind == "ablation"].reset_index(drop=True)


def compare(run_ids: Sequence[str] | None = None, ablation_id: str | None = None) -> dict[str, Any]:
    """Variants side by side: metric mean/sd/CI over seeds, per-class F1 deltas vs FULL, paired tests."""
    from engine.evaluate.stats import seed_spread

    with get_session() as session:
        chosen: list[Run] = []
        if ablation_id:
            chosen += list(session.scalars(select(Run).where(Run.parent_id == ablation_id)))
        in_ablation = {r.id for r in chosen}
        if run_ids:
            chosen += [r for r in (session.get(Run, i) for i in run_ids) if r is not None and r not in chosen]
        if not chosen:
            raise GlimpseError("no runs to compare", hint="pick an ablation or some runs")
        ids = [r.id for r in chosen]
        all_metrics = session.execute(
            select(Metric.run_id, Metric.scope, Metric.name, Metric.value).where(Metric.run_id.in_(ids))
        ).all()
        # ablation runs group by variant (seeds pooled); a run picked beside an ablation keeps its own bar
        group = {
            r.id: (r.variant or r.name or r.id)
            + ("" if not ablation_id or r.id in in_ablation else f" · {r.id[-6:]}")
            for r in chosen
        }
        synthetic = any(r.is_synthetic for r in chosen)
        comparison = None
        if ablation_id:
            art = session.scalars(
                select(Artifact).where(Artifact.run_id == ablation_id, Artifact.path.like("%comparison.json"))
            ).first()
            if art is not None:
                path = resolve_within(glimpse_home(), art.path)
                if path.exists():
                    comparison = json.loads(path.read_text())
    metrics = pd.DataFrame(all_metrics, columns=["run_id", "scope", "name", "value"])
    metrics["variant"] = metrics.run_id.map(group)
    order = {v: i for i, v in enumerate(VARIANT_ORDER)}
    variants = sorted(set(group.values()), key=lambda v: (order.get(v, 99), v))
    summary = []
    overall = metrics[metrics.scope == "overall"]
    for variant in variants:
        for name in ("uf1", "uar", "accuracy"):
            values = overall[(overall.variant == variant) & (overall.name == name)].value.tolist()
            if values:
                s = seed_spread(values)
                summary.append(
                    {
                        "variant": variant,
                        "metric": name,
                        "mean": s.mean,
                        "sd": s.sd,
                        # UF1/UAR/accuracy live in [0, 1]; a t-interval over few seeds can overshoot
                        "ci_low": max(0.0, s.ci_low),
                        "ci_high": min(1.0, s.ci_high),
                        "n": s.n,
                    }
                )
    per_class = metrics[metrics.scope.str.startswith("class:") & (metrics.name == "f1")].copy()
    per_class["label"] = per_class.scope.str.removeprefix("class:")
    class_means = (
        per_class.groupby(["variant", "label"]).value.mean().unstack("label")
        if len(per_class)
        else pd.DataFrame()
    )
    if len(class_means):
        class_means = class_means.reindex([v for v in variants if v in class_means.index])
    deltas = (
        class_means.sub(class_means.loc["full"], axis=1) if "full" in class_means.index else pd.DataFrame()
    )
    return {
        "variants": variants,
        "runs": group,
        "summary": pd.DataFrame(
            summary, columns=["variant", "metric", "mean", "sd", "ci_low", "ci_high", "n"]
        ),
        "class_f1": class_means,
        "deltas_vs_full": deltas,
        "comparison": comparison,
        "synthetic": synthetic,
    }


def paired_tests(summary_runs: dict[str, str], metric: str = "uf1") -> pd.DataFrame:
    """Paired tests of each variant vs FULL over seeds (when no comparison.json was written)."""
    from engine.evaluate.stats import paired_test

    with get_session() as session:
        rows = session.execute(
            select(Run.id, Run.seed, Metric.value)
            .join(Metric, Metric.run_id == Run.id)
            .where(Run.id.in_(list(summary_runs)), Metric.scope == "overall", Metric.name == metric)
        ).all()
    by_variant: dict[str, dict[int, float]] = {}
    for run_id, seed, value in rows:
        by_variant.setdefault(summary_runs[run_id], {})[seed or 0] = value
    full = by_variant.get("full")
    out = []
    if full:
        for variant, values in by_variant.items():
            seeds = sorted(set(values) & set(full))
            if variant == "full" or len(seeds) < 2:
                continue
            test = paired_test([values[s] for s in seeds], [full[s] for s in seeds])
            out.append({"variant": variant, "vs": "full", "metric": metric, **test})
    return pd.DataFrame(out)


TRAJECTORY_KINDS = ("features", "frame_scores")


def _trajectory_files() -> dict[str, Path]:
    """run id → its ``trajectories.npz`` (Artifact kind features/frame_scores, file name preferred)."""
    with get_session() as session:
        arts = session.execute(
            select(Artifact.run_id, Artifact.path)
            .where(Artifact.kind.in_(TRAJECTORY_KINDS), Artifact.run_id.is_not(None))
            .order_by(Artifact.id)
        ).all()
    out: dict[str, Path] = {}
    for run_id, rel in sorted(arts, key=lambda a: not str(a[1]).endswith("trajectories.npz")):
        if run_id in out or not str(rel).endswith(".npz"):
            continue
        path = resolve_within(glimpse_home(), rel)
        if path.exists() and any(k.startswith("feat_") for k in _npz_keys(path)):
            out[run_id] = path
    return out


def _npz_keys(path: Path) -> list[str]:
    with np.load(path, allow_pickle=False) as data:
        return list(data.files)


def trajectory_runs(clip_id: int | None = None) -> list[str]:
    """Runs that stored per-frame features (optionally: holding this clip)."""
    files = _trajectory_files()
    if clip_id is None:
        return list(files)
    return [r for r, path in files.items() if f"feat_{clip_id}" in _npz_keys(path)]


def trajectory_clips(run_id: str) -> list[int]:
    """Clip ids that a run's trajectories.npz holds."""
    keys = _npz_keys(_features_path(run_id))
    return sorted(int(k.removeprefix("feat_")) for k in keys if k.startswith("feat_"))


def _features_path(run_id: str) -> Path:
    path = _trajectory_files().get(run_id)
    if path is None:
        raise GlimpseError(f"run {run_id} stored no per-frame features", hint="pick a stage-3 run")
    return path


def trajectories(run_id: str, clip_id: int) -> dict[str, Any]:
    """Per-frame features (T, D), their 2-D PCA path, class scores (T, C) and frame numbers of a clip."""
    from sklearn.decomposition import PCA

    path = _features_path(run_id)
    with np.load(path, allow_pickle=False) as data:
        key = f"feat_{clip_id}"
        if key not in data.files:
            raise GlimpseError(f"run {run_id} has no features for clip {clip_id}", where=str(path))
        features = np.asarray(data[key], dtype=np.float32)
        scores = np.asarray(data[f"scores_{clip_id}"]) if f"scores_{clip_id}" in data.files else None
        frames = (
            data[f"frames_{clip_id}"].tolist()
            if f"frames_{clip_id}" in data.files
            else list(range(len(features)))
        )
        score_labels = data["labels"].tolist() if "labels" in data.files else list(LABELS_ME)
    n_comp = min(2, *features.shape)
    path2d = (
        PCA(n_components=n_comp).fit_transform(features)
        if len(features) >= 2
        else np.zeros((len(features), 2))
    )
    if path2d.shape[1] < 2:
        path2d = np.pad(path2d, ((0, 0), (0, 2 - path2d.shape[1])))
    return {
        "features": features,
        "pca": path2d,
        "scores": scores,
        "frames": [int(f) for f in frames],
        "score_labels": score_labels,
    }
