"""What each job kind does: ``HANDLERS[kind](params, reporter, job_id) -> result dict``.

Handlers run inside the job's child process (``engine.jobs.run_one``); the catalog URL is in
``GLIMPSE_DB_URL``. Other parts' modules are imported inside each handler, so the worker itself stays
light and a missing part only breaks its own kind. ``sleep``, ``fail`` and ``crash`` are real handlers
the tests (and anyone checking a deployment) use.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.errors import GlimpseError
from engine.jobs.reporter import JobCancelled
from engine.progress import Reporter, SubReporter

Handler = Callable[[dict[str, Any], Reporter, int], dict[str, Any]]

# Kinds a user launches from the workbench or `glimpse jobs submit` (the rest are for tests).
USER_KINDS = ("synth", "ingest", "preprocess", "train", "ablation", "evaluate", "spot")


MAX_RESULT_ITEMS = 200


def jsonable(value: Any, max_items: int = MAX_RESULT_ITEMS) -> Any:
    """Results go into a JSON column: dataclasses, paths, numpy scalars and issues become plain data.

    Lists are cut to ``max_items`` (with a final "… N more") so a job row stays small; full detail
    belongs in the job's log or the run's artefacts.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name), max_items) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v, max_items) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        items = list(value)
        out = [jsonable(v, max_items) for v in items[:max_items]]
        if len(items) > max_items:
            out.append(f"… {len(items) - max_items} more")
        return out
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "item") and callable(value.item):  # numpy / torch scalars
        try:
            return value.item()
        except (TypeError, ValueError):
            pass
    return str(value)


def _scalars(value: Any) -> dict[str, Any]:
    """The plain fields of a report (counts, names, paths), without its long per-item lists."""
    data = jsonable(value)
    return {k: v for k, v in data.items() if not isinstance(v, list | dict)} if isinstance(data, dict) else {}


def _ingest_summary(report: Any, reporter: Reporter) -> dict[str, Any]:
    """Counts and label counts in the result; every issue also as a log line (what was not used, and why)."""
    issues = [str(issue) for issue in getattr(report, "issues", [])]
    for line in issues[:500]:
        reporter.log(f"issue: {line}")
    return {
        **_scalars(report),
        "label_counts": jsonable(getattr(report, "label_counts", {})),
        "n_issues": len(issues),
        "issues": jsonable(issues, max_items=50),
    }


def _db_url() -> str:
    from db.session import default_url

    return default_url()


def _tuples(value: Any) -> Any:
    """JSON gives lists; frozen configs want (hashable) tuples."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list | tuple) else value


def _split_config(cls: type, params: dict[str, Any], reserved: set[str]) -> Any:
    """``cls(**params minus reserved)``, refusing unknown keys so a typo never silently means 'default'.

    ``preset: "tiny"`` starts from ``cls.tiny()`` (when the config has one) instead of the defaults.
    """
    data = {k: v for k, v in params.items() if k not in reserved | {"config", "preset"}}
    data.update(params.get("config") or {})
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        known = ", ".join(sorted(names))
        raise GlimpseError(
            f"unknown {cls.__name__} parameter(s): {', '.join(unknown)}", hint=f"known: {known}"
        )
    data = {k: _tuples(v) for k, v in data.items()}
    preset = params.get("preset")
    if preset:
        if not callable(getattr(cls, str(preset), None)):
            raise GlimpseError(f"{cls.__name__} has no preset {preset!r}")
        base = getattr(cls, str(preset))(**({"seed": data["seed"]} if "seed" in data else {}))
        return dataclasses.replace(base, **data)
    return cls(**data)


def _synth(params: dict[str, Any], reporter: Reporter, job_id: int) -> dict[str, Any]:
    from db.session import session_scope
    from engine.ingest.catalog import ingest_synthetic_corpus
    from engine.paths import glimpse_home, resolve_within, synthetic_dir
    from engine.synth.config import SynthConfig
    from engine.synth.write import generate_corpus

    out_dir = resolve_within(glimpse_home(), params["out_dir"]) if params.get("out_dir") else synthetic_dir()
    config = _split_config(SynthConfig, params, {"out_dir"})
    reporter.log(f"generating the synthetic corpus in {out_dir}")
    generated = generate_corpus(out_dir, config, SubReporter(reporter, 0.0, 0.7))
    if reporter.cancelled():
        raise JobCancelled()
    reporter.log("ingesting the synthetic corpus into the catalog")
    with session_scope(_db_url()) as session:
        ingested = ingest_synthetic_corpus(session, out_dir, SubReporter(reporter, 0.7, 1.0))
    reports = ingested if isinstance(ingested, list) else [ingested]
    return {
        "out_dir": str(out_dir),
        "generated": _scalars(generated),
        "ingested": [_ingest_summary(r, reporter) for r in reports],
    }


def _ingest(params: dict[str, Any], reporter: Reporter, job_id: int) -> dict[str, Any]:
    if not params.get("root"):
        raise GlimpseError("an ingest job needs a 'root' parameter (the dataset folder on the server)")
    from db.session import session_scope
    from engine.ingest.catalog import ingest_dataset

    root = Path(params["root"])
    reporter.log(f"ingesting {root} (format: {params.get('format') or 'auto'})")
    with session_scope(_db_url()) as session:
        result = ingest_dataset(
            session, root, fmt=params.get("format"), name=params.get("name"), reporter=reporter
        )
    return {"root": str(root), "ingested": _ingest_summary(result, reporter)}


def _preprocess(params: dict[str, Any], reporter: Reporter, job_id: int) -> dict[str, Any]:
    from sqlalchemy import select

    from db.schema import Dataset
    from db.session import session_scope
    from engine.preprocess.config import PreprocessConfig

    config = _split_config(PreprocessConfig, params, {"dataset_id", "dataset"})
    with session_scope(_db_url()) as session:
        dataset_id = params.get("dataset_id")
        if dataset_id is None and params.get("dataset"):
            dataset_id = session.scalar(select(Dataset.id).where(Dataset.name == params["dataset"]))
        if dataset_id is None:
            raise GlimpseError(
                "a preprocess job needs 'dataset_id' (or 'dataset', a name in the catalog)",
                hint="list datasets with `glimpse catalog`",
            )
        reporter.log(f"preprocessing dataset {dataset_id} with {config}")
        from engine.preprocess.cache import preprocess_dataset  # heavy (OpenCV, face models): only now

        result = preprocess_dataset(session, int(dataset_id), config, reporter)
    summary = {**_scalars(result), "backends": jsonable(getattr(result, "backends", {}))}
    summary["failures"] = jsonable([" · ".join(map(str, f)) for f in getattr(result, "failures", [])], 50)
    return {"dataset_id": int(dataset_id), "preprocessed": summary}


def _train_like(kind: str) -> Handler:
    def handler(params: dict[str, Any], reporter: Reporter, job_id: int) -> dict[str, Any]:
        from engine.train.entry import run_from_params

        return jsonable(run_from_params(kind, params, reporter, job_id))

    handler.__name__ = f"_{kind}"
    handler.__doc__ = f"``{kind}`` jobs: engine.train.entry.run_from_params({kind!r}, …)."
    return handler


def _spot(params: dict[str, Any], reporter: Reporter, job_id: int) -> dict[str, Any]:
    """``spot`` jobs: LOSO spotting of a dataset's long videos (features per video as executor tasks)."""
    if not params.get("dataset"):
        raise GlimpseError("a spot job needs a 'dataset' parameter (a dataset with long videos)")
    from engine.jobs.executors import get_executor
    from engine.spotting.config import SpotConfig
    from engine.spotting.run import run_spotting

    config = SpotConfig.from_dict({k: v for k, v in params.items() if k != "dataset"})
    return jsonable(run_spotting(_db_url(), params["dataset"], config, get_executor(), reporter, job_id))


def _sleep(params: dict[str, Any], reporter: Reporter, job_id: int) -> dict[str, Any]:
    """Sleep ``seconds`` in small steps, reporting progress and honouring cancel (for tests and checks).

    With ``make_run`` it also records a Run row (status running until it finishes) so lost-job handling
    can be checked against real runs; with ``spawn`` it starts a helper process, so cancel can be seen
    to stop the whole process group.
    """
    from db.schema import Run, utcnow
    from db.session import session_scope

    seconds = float(params.get("seconds", 1.0))
    run_id = None
    if params.get("make_run"):
        run_id = uuid.uuid4().hex
        with session_scope(_db_url()) as session:
            session.add(Run(id=run_id, job_id=job_id, kind="stage", name="sleep check", status="running"))
    reporter.log(f"sleeping {seconds:g} s (pid {os.getpid()})")
    helper = None
    if params.get("spawn"):  # a grandchild in the same process group, like a data-loader worker
        helper = subprocess.Popen(["sleep", str(seconds + 60)])
        reporter.log(f"spawned helper pid {helper.pid}")
    start = time.monotonic()
    step = min(0.05, seconds / 10) if seconds > 0 else 0.0
    halfway_logged = False
    while (elapsed := time.monotonic() - start) < seconds:
        if reporter.cancelled():
            reporter.log("cancel seen; stopping")
            raise JobCancelled()
        reporter.progress(elapsed / seconds, f"slept {elapsed:.1f} of {seconds:g} s")
        if not halfway_logged and elapsed >= seconds / 2:
            reporter.log("halfway")
            halfway_logged = True
        time.sleep(step)
    if helper is not None:
        helper.kill()
        helper.wait()
    reporter.progress(1.0, "awake")
    reporter.log("woke up")
    if run_id:
        with session_scope(_db_url()) as session:
            run = session.get(Run, run_id)
            if run is not None and run.status == "running":
                run.status, run.finished_at = "succeeded", utcnow()
    return {"slept_s": seconds, "run_id": run_id, "pid": os.getpid()}


def _fail(params: dict[str, Any], reporter: Reporter, job_id: int) -> dict[str, Any]:
    """Fails the way user errors do: a GlimpseError (the job's error shows its message, not a traceback)."""
    reporter.log("about to fail on purpose")
    raise GlimpseError(params.get("message", "this job fails on purpose"), where=params.get("where"))


def _crash(params: dict[str, Any], reporter: Reporter, job_id: int) -> dict[str, Any]:
    """Dies without recording anything (like a segfault or the OOM killer) to check the worker's fallback."""
    print(params.get("message", "crashing on purpose"), file=sys.stderr, flush=True)
    os._exit(int(params.get("exit_code", 3)))


HANDLERS: dict[str, Handler] = {
    "synth": _synth,
    "ingest": _ingest,
    "preprocess": _preprocess,
    "train": _train_like("train"),
    "ablation": _train_like("ablation"),
    "evaluate": _train_like("evaluate"),
    "spot": _spot,
    "sleep": _sleep,
    "fail": _fail,
    "crash": _crash,
}
