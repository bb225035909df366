"""Integration: the tiny synthetic corpus, ingested through the real readers, preprocessed end to end."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.schema import Clip, Dataset, FaceCrop
from engine.preprocess.align import eye_targets, transform_points
from engine.preprocess.cache import clip_crops, preprocess_dataset
from engine.preprocess.config import PreprocessConfig
from engine.preprocess.faces import detect_ground_truth

synth_write = pytest.importorskip("engine.synth.write")
synth_config = pytest.importorskip("engine.synth.config")
ingest_catalog = pytest.importorskip("engine.ingest.catalog")


def test_tiny_corpus_preprocesses_with_ground_truth(session: Session, home: Path) -> None:
    root = home / "datasets" / "synthetic"
    synth_write.generate_corpus(root, replace(synth_config.SynthConfig.tiny(), workers=1))
    ingest_catalog.ingest_synthetic_corpus(session, root)
    micro = session.scalar(select(Dataset).where(Dataset.purpose == "micro"))
    n_clips = session.scalar(select(func.count()).select_from(Clip).where(Clip.dataset_id == micro.id))
    cfg = PreprocessConfig(size=32)
    report = preprocess_dataset(session, micro.id, cfg)
    assert report.n_done == n_clips > 0 and not report.failures
    assert report.backends == {"ground_truth": n_clips}
    assert session.scalar(select(func.count()).select_from(FaceCrop)) == n_clips
    assert preprocess_dataset(session, micro.id, cfg).hits == n_clips

    # the ground-truth eyes of the onset frame land on the configured targets (tracking from there)
    clip = session.scalar(select(Clip).where(Clip.dataset_id == micro.id, Clip.onset.is_not(None)))
    crops = clip_crops(session, clip.id, cfg, span="onset_offset")
    assert crops.frame_numbers[0] == clip.onset and crops.frame_numbers[-1] == clip.offset
    first = next(f for f in clip.frames if f.number == clip.onset)
    frame_file = Path(micro.root) / first.path
    det = detect_ground_truth(frame_file.parent, frame_file.name)
    from engine.preprocess.align import similarity_matrix

    matrix = similarity_matrix(det.left_eye, det.right_eye, 32, cfg.eye_distance, cfg.eye_y)
    np.testing.assert_allclose(
        transform_points(np.array([det.left_eye, det.right_eye]), matrix),
        np.array(eye_targets(32, cfg.eye_distance, cfg.eye_y)),
        atol=1e-6,
    )
    assert crops.frames.std() > 10  # a face, not a flat border
