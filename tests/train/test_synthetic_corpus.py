"""The training engine on the real synthetic corpus (generator + ingest adapters + preprocessing cache)."""

from __future__ import annotations

from pathlib import Path

import torch
from sqlalchemy import func, select

from db.schema import Clip, Dataset, Prediction, Run
from db.session import session_factory
from engine.labels import LABELS_ME
from engine.train.config import AblationConfig
from engine.train.entry import run_from_params


def test_tiny_synthetic_corpus_train_end_to_end(session, db_url: str, home: Path) -> None:
    from engine.ingest.catalog import ingest_synthetic_corpus
    from engine.synth.config import SynthConfig
    from engine.synth.write import generate_corpus

    torch.set_num_threads(1)
    generate_corpus(home / "datasets" / "synthetic", SynthConfig.tiny())
    ingest_synthetic_corpus(session, home / "datasets" / "synthetic")
    session.commit()
    labelled = session.scalar(
        select(func.count())
        .select_from(Clip)
        .join(Dataset)
        .where(Dataset.name == "synthetic-casme2", Clip.label.in_(LABELS_ME))
    )
    assert labelled >= 6
    out = run_from_params("train", {**AblationConfig.tiny().to_dict(), "variant": "full", "seed": 0})
    with session_factory(db_url)() as s:
        run = s.get(Run, out["run_id"])
        assert run.status == "succeeded" and run.is_synthetic and run.preprocess_backend
        assert set(run.dataset_names) == {"synthetic-casme2", "synthetic-faces", "synthetic-ckplus"}
        n_pred = s.scalar(select(func.count()).select_from(Prediction).where(Prediction.run_id == run.id))
        assert n_pred == labelled
    assert 0.0 <= out["uf1"] <= 1.0 and 0.0 <= out["uar"] <= 1.0
