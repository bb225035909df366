"""Data jobs: ``synth`` (generate + ingest the synthetic corpus), ``ingest`` (a dataset folder) and
``preprocess`` (face crops of one dataset)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from db import queries
from db.session import session_scope
from engine.errors import GlimpseError
from engine.ingest.catalog import ingest_dataset, ingest_synthetic_corpus
from engine.jobs.handlers.base import db_url, jsonable, scalars, split_config
from engine.jobs.handlers.registry import register_job_kind
from engine.paths import glimpse_home, resolve_within, synthetic_dir
from engine.preprocess.cache import preprocess_dataset
from engine.preprocess.config import PreprocessConfig
from engine.progress import Reporter, SubReporter, check_cancel
from engine.synth.config import SynthConfig
from engine.synth.write import generate_corpus


def _ingest_summary(report: Any, reporter: Reporter) -> dict[str, Any]:
    """Counts and label counts in the result; every issue also as a log line (what was not used, and why)."""
    issues = [str(issue) for issue in getattr(report, "issues", [])]
    for line in issues[:500]:
        reporter.log(f"issue: {line}")
    return {
        **scalars(report),
        "label_counts": jsonable(getattr(report, "label_counts", {})),
        "n_issues": len(issues),
        "issues": jsonable(issues, max_items=50),
    }


def _out_dir(given: str | None) -> Path:
    """Where the corpus goes: a relative ``out_dir`` stays inside GLIMPSE_HOME; an absolute one (the
    CLI's ``--out``) is used as given, and ``generate_corpus`` refuses a folder that is not a corpus."""
    if not given:
        return synthetic_dir()
    path = Path(given)
    return path.resolve() if path.is_absolute() else resolve_within(glimpse_home(), path)


@register_job_kind("synth")
def synth(params: dict[str, Any], reporter: Reporter, job_id: int) -> dict[str, Any]:
    """Generate the synthetic corpus (``out_dir`` inside GLIMPSE_HOME, SynthConfig fields) and, unless
    ``ingest`` is false, ingest it."""
    out_dir = _out_dir(params.get("out_dir"))
    config = split_config(SynthConfig, params, {"out_dir", "ingest"})
    reporter.log(f"generating the synthetic corpus in {out_dir}")
    ingest = bool(params.get("ingest", True))
    generated = generate_corpus(out_dir, config, SubReporter(reporter, 0.0, 0.7 if ingest else 1.0))
    result: dict[str, Any] = {"out_dir": str(out_dir), "generated": scalars(generated)}
    if not ingest:
        return result
    check_cancel(reporter)
    reporter.log("ingesting the synthetic corpus into the catalog")
    with session_scope(db_url()) as session:
        ingested = ingest_synthetic_corpus(session, out_dir, SubReporter(reporter, 0.7, 1.0))
    reports = ingested if isinstance(ingested, list) else [ingested]
    result["ingested"] = [_ingest_summary(r, reporter) for r in reports]
    return result


@register_job_kind("ingest")
def ingest(params: dict[str, Any], reporter: Reporter, job_id: int) -> dict[str, Any]:
    """Ingest the dataset folder ``root`` (``format``, ``name``, ``synthetic`` optional)."""
    if not params.get("root"):
        raise GlimpseError("an ingest job needs a 'root' parameter (the dataset folder on the server)")
    root = Path(params["root"])
    reporter.log(f"ingesting {root} (format: {params.get('format') or 'auto'})")
    with session_scope(db_url()) as session:
        result = ingest_dataset(
            session,
            root,
            fmt=params.get("format"),
            name=params.get("name"),
            # absent → None: a re-ingest keeps the stored SYNTHETIC flag (an explicit one must agree)
            is_synthetic=None if params.get("synthetic") is None else bool(params["synthetic"]),
            reporter=reporter,
        )
    return {"root": str(root), "ingested": _ingest_summary(result, reporter)}


@register_job_kind("preprocess")
def preprocess(params: dict[str, Any], reporter: Reporter, job_id: int) -> dict[str, Any]:
    """Face crops of one dataset (``dataset_id`` or ``dataset`` name, PreprocessConfig fields)."""
    config = split_config(PreprocessConfig, params, {"dataset_id", "dataset"})
    with session_scope(db_url()) as session:
        dataset_id = params.get("dataset_id")
        if dataset_id is None and params.get("dataset"):
            dataset_id = queries.dataset_named(session, params["dataset"]).id
        if dataset_id is None:
            raise GlimpseError(
                "a preprocess job needs 'dataset_id' (or 'dataset', a name in the catalog)",
                hint="list datasets with `glimpse catalog`",
            )
        reporter.log(f"preprocessing dataset {dataset_id} with {config}")
        result = preprocess_dataset(session, int(dataset_id), config, reporter)
    summary = {**scalars(result), "backends": jsonable(getattr(result, "backends", {}))}
    summary["failures"] = jsonable([" · ".join(map(str, f)) for f in getattr(result, "failures", [])], 50)
    # per clip: frames, frames with a face, and the frame numbers without one (never cropped)
    summary["clips"] = [asdict(c) for c in result.clips]
    summary["no_face_frames"] = result.n_no_face
    return {"dataset_id": int(dataset_id), "preprocessed": summary}
