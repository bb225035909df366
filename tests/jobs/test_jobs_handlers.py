"""Handlers: parameters → configs (typos refused), compact JSON results, and the real pipeline as jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from jobs_support import start_worker, stop
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.schema import Dataset, FaceCrop
from engine.errors import GlimpseError
from engine.jobs import queue
from engine.jobs.handlers import JOB_KINDS, jsonable, user_kinds
from engine.jobs.handlers.base import split_config
from engine.progress import NullReporter


@dataclass(frozen=True)
class Knobs:
    seed: int = 0
    size: int = 64
    pair: tuple[int, int] = (1, 2)

    @classmethod
    def tiny(cls, seed: int = 0) -> Knobs:
        return cls(seed=seed, size=8)


@dataclass
class Report:
    name: str
    items: list[str] = field(default_factory=list)


def test_every_user_kind_has_a_handler() -> None:
    assert user_kinds() == ["synth", "ingest", "preprocess", "spot", "train", "ablation", "evaluate"]
    assert {"sleep", "fail", "crash"} <= set(JOB_KINDS) - set(user_kinds())


def test_params_become_a_config_and_typos_are_refused() -> None:
    assert split_config(Knobs, {"size": 32, "pair": [3, 4], "dataset": "x"}, {"dataset"}) == Knobs(
        size=32, pair=(3, 4)
    )
    assert split_config(Knobs, {"config": {"seed": 5}}, set()) == Knobs(seed=5)
    assert split_config(Knobs, {"preset": "tiny", "seed": 2}, set()) == Knobs(seed=2, size=8)
    with pytest.raises(GlimpseError, match="unknown Knobs parameter.*: sise"):
        split_config(Knobs, {"sise": 32}, set())
    with pytest.raises(GlimpseError, match="no preset 'huge'"):
        split_config(Knobs, {"preset": "huge"}, set())


def test_results_are_plain_and_bounded() -> None:
    data = jsonable(Report("r", [f"issue {i}" for i in range(5)]), max_items=3)
    assert data == {"name": "r", "items": ["issue 0", "issue 1", "issue 2", "… 2 more"]}
    assert jsonable({"p": Path("/a/b"), "x": np.float32(0.5), "t": (1, 2)}) == {
        "p": "/a/b",
        "x": 0.5,
        "t": [1, 2],
    }


def test_missing_parameters_are_user_errors(home: Path) -> None:
    with pytest.raises(GlimpseError, match="needs a 'root' parameter"):
        JOB_KINDS["ingest"].run({}, NullReporter(), 1)
    with pytest.raises(GlimpseError, match="needs 'dataset_id'"):
        JOB_KINDS["preprocess"].run({"backend": "ground_truth"}, NullReporter(), 1)


@pytest.mark.slow
def test_synth_then_preprocess_jobs_through_a_real_worker(
    home: Path, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLIMPSE_HEARTBEAT_S", "0.5")
    synth = queue.enqueue(session, "synth", {"preset": "tiny", "workers": 1})
    prep = queue.enqueue(
        session, "preprocess", {"dataset": "synthetic-casme2", "backend": "ground_truth", "size": 32}
    )
    proc = start_worker("--max-jobs", "2")
    try:
        assert proc.wait(timeout=300) == 0
    finally:
        stop(proc)
    job = queue.get_job(session, synth)
    assert job.status == "succeeded", job.error
    names = {r["dataset_name"]: r for r in job.result["ingested"]}
    assert set(names) == {"synthetic-casme2", "synthetic-ckplus", "synthetic-faces"}
    assert names["synthetic-casme2"]["n_clips"] == job.result["generated"]["n_me_clips"] == 12
    session.commit()
    assert set(session.scalars(select(Dataset.name).where(Dataset.is_synthetic))) == set(names)
    job = queue.get_job(session, prep)
    assert job.status == "succeeded", job.error
    assert job.result["preprocessed"]["n_done"] == 12 and job.result["preprocessed"]["failures"] == []
    assert session.query(FaceCrop).count() == 12
