"""The cluster path: LOSO folds as real Ray tasks give exactly the local executor's results (same seed)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.schema import Prediction
from engine.jobs.executor_choice import get_executor
from engine.jobs.ray_executor import RayExecutor
from engine.train.ablation import run_variant
from engine.train.config import AblationConfig

pytestmark = pytest.mark.ray


def _tiny_catalog_builder():  # noqa: ANN202 — the training tests' drawn catalog, loaded by path
    path = Path(__file__).resolve().parents[1] / "train" / "conftest.py"
    spec = importlib.util.spec_from_file_location("glimpse_train_tiny_catalog", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_tiny_catalog


def _predictions(session: Session, run_id: str) -> dict[int, tuple[str, str, str, dict]]:
    session.commit()
    rows = session.scalars(select(Prediction).where(Prediction.run_id == run_id))
    return {p.clip_id: (p.fold, p.truth, p.predicted, p.probs) for p in rows}


def test_loso_on_ray_equals_local(
    session: Session, home: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ray = pytest.importorskip("ray")
    torch.set_num_threads(1)
    _tiny_catalog_builder()(session, home / "datasets" / "tiny")
    cfg = AblationConfig.tiny()

    local = run_variant(db_url, "fir", 3, cfg)  # no executor given: in-process

    calls: list[int] = []  # prove the folds really went through the Ray executor
    ray_map = RayExecutor.map

    def counting_map(self, fn, items, *args, **kwargs):  # noqa: ANN001, ANN202
        calls.append(len(items))
        return ray_map(self, fn, items, *args, **kwargs)

    monkeypatch.setattr(RayExecutor, "map", counting_map)
    monkeypatch.setenv("GLIMPSE_EXECUTOR", "ray")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True)
    try:
        remote = run_variant(db_url, "fir", 3, cfg, executor=get_executor())  # what the job layer passes
    finally:
        ray.shutdown()

    assert calls == [4]  # the 4 LOSO folds as 4 Ray tasks
    assert remote.run_id != local.run_id
    assert len(local.fold_uf1) == 4  # one fold per drawn subject
    assert (remote.uf1, remote.uar, remote.accuracy) == (local.uf1, local.uar, local.accuracy)
    assert remote.fold_uf1 == local.fold_uf1
    local_preds, remote_preds = _predictions(session, local.run_id), _predictions(session, remote.run_id)
    assert len(local_preds) == 12 and remote_preds == local_preds  # same fold, truth, class and probs
