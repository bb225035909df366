"""FIR / ER / MIXT / FULL as variants: train the encoder once per (variant, seed) through the variant's
stages, cache per-frame features of every ME clip, then each LOSO fold trains only the RNN (stage 3)
on those features."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from db.faults import free_mb, no_space
from db.session import session_scope
from engine.progress import SubReporter, check_cancel
from engine.train.config import EncoderStageConfig, SequenceConfig
from engine.train.data import build_sequences, face_images, macro_images
from engine.train.features import cached_features
from engine.train.runtime import resolve_device, single_thread
from engine.train.sequence import train_and_predict
from engine.train.stages import load_encoder, stage_datasets, train_encoder
from engine.variants.contract import FoldResult, FoldSpec, Prepare, VariantContext
from engine.variants.registry import get_variant, register_variant
from engine.variants.selection import TEST_SUBJECT_ORACLE


@dataclass(frozen=True)
class PreparedEncoder:
    """What every fold needs, as paths and plain dicts (picklable for Ray)."""

    features_path: str
    sequences_path: str
    encoder_path: str
    encoder_cfg: dict
    sequence_cfg: dict
    device: str


@lru_cache(maxsize=4)
def _load_npz(path: str) -> dict[str, np.ndarray]:
    """Folds in one process share one read of the cached arrays."""
    with np.load(path) as data:
        return {k: data[k] for k in data.files}


def prepare_encoder_variant(context: VariantContext) -> PreparedEncoder:
    """Train (or load, with ``context.extras['encoder_path']``) the encoder through the variant's stages,
    cache ME clip features."""
    cfg = context.config
    enc_cfg: EncoderStageConfig = cfg.encoder
    seq_cfg: SequenceConfig = cfg.sequence
    device = resolve_device(context.device)
    spec = get_variant(context.variant)
    reporter = context.reporter
    load = SubReporter(reporter, 0.0, 0.1)
    with session_scope(context.db_url) as session:
        sequences = build_sequences(
            session, context.clips, enc_cfg.image_size, seq_cfg.seq_len, seq_cfg.interpolation, reporter=load
        )
        given = context.extras.get("encoder_path")
        faces = macro = None
        if not given and "faces" in spec.datasets:
            faces = face_images(session, cfg.faces_dataset, enc_cfg.image_size, enc_cfg.max_images)
            if enc_cfg.fir_use_me_frames:
                seq_frames = np.load(sequences.path)["frames"]
                faces = np.concatenate([faces, seq_frames.reshape(-1, *seq_frames.shape[2:])])
        if not given and "macro" in spec.datasets:
            macro = macro_images(
                session,
                cfg.macro_dataset,
                enc_cfg.image_size,
                enc_cfg.max_images,
                enc_cfg.peak_frames,
                enc_cfg.neutral_frames,
            )
    check_cancel(reporter)
    context.run_dir.mkdir(parents=True, exist_ok=True)
    encoder_path = context.run_dir / "encoder.pt"
    if given:
        state = torch.load(given, map_location="cpu", weights_only=True)
    else:
        state, losses = train_encoder(
            spec.stages,
            enc_cfg,
            context.seed,
            device,
            faces,
            macro,
            SubReporter(reporter, 0.1, 0.9),
            reused=context.extras.setdefault("reused_stages", []),
        )
        context.extras["losses"] = losses
        context.extras["n_faces"] = 0 if faces is None else len(faces)
        context.extras["n_macro"] = 0 if macro is None else len(macro[0])
    try:
        torch.save(state, encoder_path)
    except RuntimeError as error:  # torch reports a full disk as "file write failed", not as ENOSPC
        if free_mb(encoder_path.parent) < 1.0:
            raise no_space(encoder_path.parent, f"writing {encoder_path.name}") from error
        raise
    encoder = load_encoder(state, enc_cfg)
    features = cached_features(
        encoder, encoder_path, sequences, device, enc_cfg.bf16, SubReporter(reporter, 0.9, 1.0)
    )
    context.extras.setdefault("artifacts", []).extend(
        [
            ("checkpoint", encoder_path, {"model": enc_cfg.model, "image_size": enc_cfg.image_size}),
            ("features", features, {"shared_cache": True}),
        ]
    )
    return PreparedEncoder(
        str(features), sequences.path, str(encoder_path), enc_cfg.to_dict(), seq_cfg.to_dict(), str(device)
    )


def run_encoder_fold(prepared: PreparedEncoder, spec: FoldSpec) -> FoldResult:
    """Stage 3 on one fold, from the cached features (or fine-tuning the encoder when configured)."""
    seq_cfg = SequenceConfig.from_dict(prepared.sequence_cfg)
    data = _load_npz(prepared.features_path)
    row = {int(c): i for i, c in enumerate(data["clip_ids"])}
    x = data["features"]
    y = np.full(len(x), -1, np.int64)
    for cid, lab in zip(spec.train_clip_ids, spec.train_labels, strict=True):
        y[row[cid]] = spec.labels.index(lab)
    train_idx = np.array([row[c] for c in spec.train_clip_ids])
    test_idx = np.array([row[c] for c in spec.test_clip_ids])
    oracle = seq_cfg.selection == TEST_SUBJECT_ORACLE
    if oracle:  # FLAWED, the leakage audit only: the test labels reach epoch selection
        for cid, lab in zip(spec.test_clip_ids, spec.test_labels, strict=True):
            y[row[cid]] = spec.labels.index(lab)
    val_idx = np.array([row[c] for c in spec.val_clip_ids], dtype=int)
    frames = state = None
    if not seq_cfg.freeze_encoder:
        frames = _load_npz(prepared.sequences_path)["frames"]
        state = torch.load(prepared.encoder_path, map_location="cpu", weights_only=True)
    with single_thread(enabled=seq_cfg.freeze_encoder):
        out = train_and_predict(
            x,
            y,
            train_idx,
            test_idx,
            seq_cfg,
            spec.seed,
            len(spec.labels),
            torch.device(prepared.device),
            val_idx,
            frames,
            state,
            EncoderStageConfig.from_dict(prepared.encoder_cfg),
            select_on_test=oracle,
        )
    pred = [spec.labels[i] for i in out.probs.argmax(1)]
    return FoldResult(
        test_subject=spec.test_subject,
        clip_ids=list(spec.test_clip_ids),
        truth=list(spec.test_labels),
        predicted=pred,
        probs=out.probs,
        labels=spec.labels,
        frame_features={c: x[row[c]] for c in spec.test_clip_ids},
        frame_scores={c: out.frame_scores[i] for i, c in enumerate(spec.test_clip_ids)},
        frame_numbers={c: data["numbers"][row[c]] for c in spec.test_clip_ids},
    )


def encoder_variant(
    name: str, stages: tuple[str, ...], description: str, cost_s: float
) -> Callable[[Prepare], Prepare]:
    """``engine.variants.registry.register_variant`` for an encoder variant: it reads what its stages need."""
    return register_variant(
        name,
        run_fold=run_encoder_fold,
        stages=stages,
        datasets=stage_datasets(stages),
        description=description,
        cost_s=cost_s,
    )


# The four encoder variants share one prepare and one fold function and differ only in their stages;
# each has a one-line prepare function of its own to carry its registration (registration order is the
# order pages list them in).


@encoder_variant("fir", ("fir",), "encoder trained on face reconstruction only (CAE)", cost_s=19)
def prepare_fir(context: VariantContext) -> PreparedEncoder:
    return prepare_encoder_variant(context)


@encoder_variant(
    "er", ("er",), "encoder trained on macro-expression recognition only, from scratch", cost_s=11
)
def prepare_er(context: VariantContext) -> PreparedEncoder:
    return prepare_encoder_variant(context)


@encoder_variant(
    "mixt", ("mixt",), "encoder trained on reconstruction and expression recognition jointly", cost_s=16
)
def prepare_mixt(context: VariantContext) -> PreparedEncoder:
    return prepare_encoder_variant(context)


@encoder_variant(
    "full",
    ("fir", "er"),
    "reconstruction (stage 1) then expression recognition (stage 2): the paper's method",
    cost_s=16,
)
def prepare_full(context: VariantContext) -> PreparedEncoder:
    return prepare_encoder_variant(context)
