"""Spot-then-recognise: a finished recognition run classifies the spotted intervals; STRS beside F1.

Stage-3 classifiers are trained per LOSO fold and not stored, so the minimal loader rebuilds "the run's
recognition model" from what the run did store: its encoder checkpoint (``torch.load(weights_only=True)``)
and its cached per-frame features of the ME clips it was trained on, with its own stage-3 config and
seed. That classifier (trained on all of the run's labelled clips — a short-clip dataset, not the long
videos' subjects) then labels each spotted interval: the interval's aligned crops (the recording's
face-crop cache), resampled to the run's ``seq_len``, encoded by the run's encoder.

The spotted intervals STR pairs with a truth of an ME class are classified, then scored exactly as
``glimpse spot-eval`` scores CSVs with emotion columns (``strs.score_str``: STRS as STRS-Metric defines
it, with UF1 and UAR beside it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch
from sqlalchemy.orm import Session

from db.queries import predictions_of, run_artifacts
from db.schema import Run
from engine.errors import GlimpseError
from engine.labels import LABELS_ME
from engine.paths import glimpse_home, resolve_within
from engine.preprocess.cache import clip_crops
from engine.preprocess.config import PreprocessConfig
from engine.preprocess.temporal import resample
from engine.spotting.intervals import Interval
from engine.spotting.strs import DEFAULT_STRS_MODE, StrReport, score_str, spot_pairs
from engine.train.config import EncoderStageConfig, SequenceConfig
from engine.train.features import encode_frames
from engine.train.sequence import train_and_predict
from engine.train.stages import load_encoder


@dataclass(frozen=True)
class RecognitionModel:
    """What a finished recognition run stored, enough to rebuild its classifier."""

    run_id: str
    variant: str
    seed: int
    encoder: EncoderStageConfig
    sequence: SequenceConfig
    encoder_path: Path
    features_path: Path
    labels: tuple[str, ...] = LABELS_ME


@dataclass(frozen=True)
class Recognised:
    video: str
    onset: int
    offset: int
    truth: str
    predicted: str


def load_recognition_run(session: Session, run_id: str) -> RecognitionModel:
    """The encoder checkpoint, cached features and stage configs of a finished train/ablation child run."""
    run = session.get(Run, run_id)
    if run is None or run.status != "succeeded":
        raise GlimpseError(
            f"no finished recognition run {run_id!r}", hint="pick a train or ablation child run"
        )
    paths = {a.kind: resolve_within(glimpse_home(), a.path) for a in run_artifacts(session, run_id)}
    if "checkpoint" not in paths or "features" not in paths:
        raise GlimpseError(
            f"run {run_id} has no encoder checkpoint and cached features",
            hint="pick a train or ablation child run (an encoder variant)",
        )
    for path in (paths["checkpoint"], paths["features"]):
        if not path.is_file():
            raise GlimpseError("a file of the recognition run is missing", where=str(path))
    config = run.config or {}
    return RecognitionModel(
        run_id,
        run.variant,
        int(run.seed or 0),
        EncoderStageConfig.from_dict(config.get("encoder")),
        SequenceConfig.from_dict(config.get("sequence")),
        paths["checkpoint"],
        paths["features"],
    )


def interval_sequences(
    session: Session, clip_id: int, intervals: list[Interval], size: int, seq_len: int, interpolation: str
) -> np.ndarray:
    """(N, seq_len, size, size) uint8: each interval's aligned crops, resampled like stage 3's clips."""
    crops = clip_crops(session, clip_id, PreprocessConfig(size=size))
    numbers = np.asarray(crops.frame_numbers)
    out = np.zeros((len(intervals), seq_len, size, size), np.uint8)
    for i, interval in enumerate(intervals):
        keep = (numbers >= interval.onset) & (numbers <= interval.offset)
        if not keep.any():
            raise GlimpseError(f"no frames {interval.onset}–{interval.offset}", where=f"recording {clip_id}")
        out[i] = resample(crops.frames[keep], seq_len, interpolation)
    return out


def training_labels(session: Session, run_id: str) -> dict[int, str]:
    """Each clip's class as the run learned it: the truth stored with its prediction, i.e. under the run's
    own label source (a run trained on a coder's or the consensus coding keeps those labels here)."""
    return {p.clip_id: p.truth for p in predictions_of(session, run_id)}


def classify(session: Session, model: RecognitionModel, sequences: np.ndarray) -> list[str]:
    """Labels for (N, T, S, S) sequences from the run's rebuilt stage-3 classifier."""
    if len(sequences) == 0:
        return []
    device = torch.device("cpu")
    state = torch.load(model.encoder_path, map_location="cpu", weights_only=True)
    encoder = load_encoder(state, model.encoder)
    new = encode_frames(encoder, sequences, device)
    data = np.load(model.features_path)
    clip_ids = [int(c) for c in data["clip_ids"]]
    label_of = training_labels(session, model.run_id)
    keep = [i for i, c in enumerate(clip_ids) if label_of.get(c) in model.labels]
    if not keep:
        raise GlimpseError(f"run {model.run_id}'s clips have no ME labels to train a classifier on")
    train_x = data["features"][keep]
    if train_x.shape[1] != new.shape[1]:
        raise GlimpseError("the run's features and the spotted sequences differ in length")
    x = np.concatenate([train_x, new]).astype(np.float32)
    y = np.concatenate(
        [np.array([model.labels.index(label_of[clip_ids[i]]) for i in keep]), np.full(len(new), -1)]
    ).astype(np.int64)
    train_idx, test_idx = np.arange(len(keep)), np.arange(len(keep), len(x))
    out = train_and_predict(x, y, train_idx, test_idx, model.sequence, model.seed, len(model.labels), device)
    return [model.labels[i] for i in out.probs.argmax(1)]


def recognise_spots(
    session: Session,
    model: RecognitionModel,
    truth: list[Interval],
    preds: list[Interval],
    clip_of_video: dict[str, int],
) -> tuple[StrReport, list[Interval], list[Interval], tuple[Recognised, ...]]:
    """Classify the predictions STR pairs with a truth of an ME class, then score them exactly as
    ``glimpse spot-eval`` scores CSVs with emotion columns (``strs.score_str``, rule mode).

    Returns the report, the truth with only its ME labels kept and the predictions with their
    recognised labels (what the run writes as truth.csv / intervals.csv, so spot-eval on them prints
    the same figures), and the recognised rows."""
    known = [replace(t, label=t.label if t.label in model.labels else "") for t in truth]
    if not any(t.label for t in known):
        raise GlimpseError(
            f"the truth has no interval labelled {', '.join(model.labels)}: nothing to recognise"
        )
    _, pairs = spot_pairs(known, preds, DEFAULT_STRS_MODE)
    targets = [(p, t) for p, t in pairs if t.label]
    by_clip: dict[int, list[int]] = {}
    for i, (pred, _) in enumerate(targets):
        by_clip.setdefault(clip_of_video[pred.video], []).append(i)
    predicted: list[str] = [""] * len(targets)
    for clip_id, idx in by_clip.items():
        seqs = interval_sequences(
            session,
            clip_id,
            [targets[i][0] for i in idx],
            model.encoder.image_size,
            model.sequence.seq_len,
            model.sequence.interpolation,
        )
        for i, label in zip(idx, classify(session, model, seqs), strict=True):
            predicted[i] = label
    label_of = {id(p): label for (p, _), label in zip(targets, predicted, strict=True)}
    labelled = [replace(p, label=label_of.get(id(p), "")) for p in preds]
    rows = tuple(
        Recognised(p.video, p.onset, p.offset, t.label, label)
        for (p, t), label in zip(targets, predicted, strict=True)
    )
    return score_str(known, labelled, DEFAULT_STRS_MODE), known, labelled, rows


def write_strs(
    folder: Path, report: StrReport, rows: tuple[Recognised, ...], model: RecognitionModel
) -> Path:
    path = folder / "strs.json"
    data = {
        **report.to_dict(),
        "recognition_run": model.run_id,
        "variant": model.variant,
        "recognised": [r.__dict__ for r in rows],
    }
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path
