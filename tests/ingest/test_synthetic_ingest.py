"""The tiny synthetic corpus flows through the real readers; the catalog equals what the generator wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.schema import Clip, Dataset
from engine.ingest.catalog import ingest_synthetic_corpus
from engine.ingest.labels import ckplus_macro_label, megc_label

synth = pytest.importorskip("engine.synth.write")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from engine.synth.config import SynthConfig

    out = tmp_path_factory.mktemp("synthetic")
    synth.generate_corpus(out, SynthConfig.tiny())
    return out


def test_synthetic_corpus_matches_manifest(session: Session, corpus: Path) -> None:
    manifest = json.loads((corpus / "manifest.json").read_text())
    reports = {r.dataset_name: r for r in ingest_synthetic_corpus(session, corpus)}
    assert sorted(reports) == ["synthetic-casme2", "synthetic-ckplus", "synthetic-faces"]
    assert all(not r.issues for r in reports.values())
    datasets = {d.name: d for d in session.scalars(select(Dataset))}
    assert all(d.is_synthetic for d in datasets.values())
    assert {n: d.purpose for n, d in datasets.items()} == {
        "synthetic-casme2": "micro",
        "synthetic-ckplus": "macro",
        "synthetic-faces": "faces",
    }

    me = manifest["me_clips"]
    clips = {
        (c.subject.code, c.name): c
        for c in session.scalars(select(Clip).where(Clip.dataset_id == datasets["synthetic-casme2"].id))
    }
    assert len(clips) == len(me) == reports["synthetic-casme2"].n_clips
    for want in me:
        got = clips[(f"sub{want['subject']:02d}", want["filename"])]
        assert (got.onset, got.apex, got.offset) == (want["onset"], want["apex"], want["offset"])
        assert (got.first_frame, got.last_frame) == (want["first_frame"], want["last_frame"])
        assert got.n_frames == want["last_frame"] - want["first_frame"] + 1
        assert (got.emotion_raw, got.action_units) == (want["emotion"], want["action_units"])
        assert got.label == megc_label("casme2", want["emotion"])

    seqs = manifest["macro_sequences"]
    macro = {
        (c.subject.code, c.name): c
        for c in session.scalars(select(Clip).where(Clip.dataset_id == datasets["synthetic-ckplus"].id))
    }
    assert len(macro) == len(seqs)
    for want in seqs:
        got = macro[(want["subject"], want["sequence"])]
        assert got.n_frames == want["n_frames"]
        assert got.label == (ckplus_macro_label(want["code"]) if want["code"] is not None else None)
    assert reports["synthetic-faces"].n_clips == manifest["counts"]["face_images"]
    # a second ingest changes nothing
    again = ingest_synthetic_corpus(session, corpus)
    assert [(r.n_new, r.n_missing) for r in again] == [(0, 0)] * 3
