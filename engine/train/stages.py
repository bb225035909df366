"""Encoder stages on still images: ``fir`` (face reconstruction, stage 1), ``er`` (macro-expression
recognition, stage 2) and ``mixt`` (both losses jointly). A variant names the stages it trains, in order
(FULL is ``("fir", "er")``); ``train_encoder`` returns the encoder's ``state_dict`` (CPU tensors)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import torch
from torch.nn import functional as F

from engine.errors import GlimpseError
from engine.labels import LABELS_MACRO
from engine.progress import NullReporter, Reporter, check_cancel
from engine.train.config import EncoderStageConfig
from engine.train.runtime import autocast, seed_everything
from engine.train.stage_memo import (
    TRAINED_STAGES,
    StageInputs,
    fingerprint,
    keep_trained_prefix,
    reuse_trained_prefix,
)
from models.cae import CAE
from models.encoder import Encoder
from models.heads import ExpressionHead
from models.registry import create_model

# what each encoder stage trains on (dataset roles of engine.variants.registry.DATASET_ROLES)
STAGE_NEEDS: dict[str, tuple[str, ...]] = {"fir": ("faces",), "er": ("macro",), "mixt": ("faces", "macro")}


def stage_datasets(stages: Sequence[str]) -> tuple[str, ...]:
    """The dataset roles a variant training ``stages`` reads: its ME clips, then what the stages need."""
    return tuple(dict.fromkeys(["me", *(role for stage in stages for role in STAGE_NEEDS[stage])]))


def build_encoder(cfg: EncoderStageConfig) -> Encoder:
    return create_model(cfg.model, image_size=cfg.image_size)  # type: ignore[return-value]


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """(N, S, S) uint8 → (N, 1, S, S) float in [0, 1]."""
    return torch.from_numpy(np.ascontiguousarray(images)).float().div_(255.0).unsqueeze(1)


def _batches(n: int, batch_size: int, gen: torch.Generator) -> Iterator[torch.Tensor]:
    order = torch.randperm(n, generator=gen)
    for i in range(0, n, batch_size):
        yield order[i : i + batch_size]


def _augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Random horizontal flip and a small brightness/contrast jitter (faces are near-symmetric)."""
    flip = torch.rand(x.shape[0], generator=gen) < 0.5
    x = torch.where(flip.view(-1, 1, 1, 1), x.flip(-1), x)
    gain = 1 + 0.2 * (torch.rand(x.shape[0], 1, 1, 1, generator=gen) - 0.5)
    bias = 0.1 * (torch.rand(x.shape[0], 1, 1, 1, generator=gen) - 0.5)
    return (x * gain + bias).clamp_(0, 1)


def class_weights(labels: np.ndarray, n_classes: int) -> torch.Tensor:
    """Inverse-frequency weights (mean 1 over present classes), 0 for absent classes."""
    counts = np.bincount(labels, minlength=n_classes).astype(np.float64)
    w = np.where(counts > 0, counts.sum() / np.maximum(counts, 1) / max(1, (counts > 0).sum()), 0.0)
    return torch.tensor(w, dtype=torch.float32)


def _epochs(
    stage: str,
    encoder: Encoder,
    cfg: EncoderStageConfig,
    device: torch.device,
    seed: int,
    faces: np.ndarray | None,
    macro: tuple[np.ndarray, np.ndarray] | None,
    reporter: Reporter,
    start: float,
    end: float,
) -> dict[str, float]:
    """One stage's training loop; returns the last epoch's mean losses."""
    gen = torch.Generator().manual_seed(seed)
    needs = STAGE_NEEDS[stage]
    cae = CAE(encoder).to(device) if "faces" in needs else None
    head = ExpressionHead(encoder.feature_dim, len(LABELS_MACRO)).to(device) if "macro" in needs else None
    params = list(encoder.parameters())
    params += list(cae.decoder.parameters()) if cae is not None else []
    params += list(head.parameters()) if head is not None else []
    encoder.to(device).train()
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    x_faces = to_tensor(faces) if faces is not None else None
    if macro is not None:
        x_macro, y_macro = to_tensor(macro[0]), torch.from_numpy(macro[1]).long()
        weight = class_weights(macro[1], len(LABELS_MACRO)).to(device) if cfg.class_weighting else None
    losses: dict[str, float] = {}
    for epoch in range(cfg.epochs):
        check_cancel(reporter)
        face_iter = iter(_batches(len(x_faces), cfg.batch_size, gen)) if x_faces is not None else None
        macro_iter = iter(_batches(len(x_macro), cfg.batch_size, gen)) if macro is not None else None
        sums = {"rec": 0.0, "ce": 0.0}
        steps = 0
        while True:
            fb = next(face_iter, None) if face_iter is not None else None
            mb = next(macro_iter, None) if macro_iter is not None else None
            if fb is None and mb is None:
                break
            loss = torch.zeros((), device=device)
            with autocast(device, cfg.bf16):
                if fb is not None and cae is not None and x_faces is not None:
                    xb = x_faces[fb]
                    xb = (_augment(xb, gen) if cfg.augment else xb).to(device)
                    rec = F.mse_loss(cae(xb).float(), xb)
                    loss = loss + (cfg.mixt_weight if stage == "mixt" else 1.0) * rec
                    sums["rec"] += float(rec.detach())
                if mb is not None and head is not None:
                    xb = x_macro[mb]
                    xb = (_augment(xb, gen) if cfg.augment else xb).to(device)
                    logits = head(encoder.forward_features(xb)).float()
                    ce = F.cross_entropy(logits, y_macro[mb].to(device), weight=weight)
                    loss = loss + ((1 - cfg.mixt_weight) if stage == "mixt" else 1.0) * ce
                    sums["ce"] += float(ce.detach())
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            steps += 1
        losses = {k: v / max(1, steps) for k, v in sums.items()}
        shown = ", ".join(f"{k} {v:.4f}" for k, v in losses.items() if v)
        reporter.progress(
            start + (end - start) * (epoch + 1) / cfg.epochs, f"{stage} epoch {epoch + 1}: {shown}"
        )
        reporter.log(f"{stage} epoch {epoch + 1}/{cfg.epochs}: {shown}")
    return losses


def train_encoder(
    stages: Sequence[str],
    cfg: EncoderStageConfig,
    seed: int,
    device: torch.device,
    faces: np.ndarray | None = None,
    macro: tuple[np.ndarray, np.ndarray] | None = None,
    reporter: Reporter | None = None,
    reused: list[str] | None = None,
) -> tuple[dict[str, torch.Tensor], dict[str, float]]:
    """Train an encoder from scratch through ``stages`` in order (e.g. ``("fir", "er")``, the paper's FULL)
    and return (state_dict, losses). Stage ``i`` uses seed ``seed + i``; with several stages the losses
    are prefixed by their stage (``fir_rec``, ``er_ce``).

    ``faces``: (N, S, S) uint8 for reconstruction; ``macro``: (images, label indices into LABELS_MACRO).
    Inside ``engine.train.stage_memo.sharing_trained_stages`` the first stages may come from an identical
    earlier training (same bits); their names are appended to ``reused``.
    """
    reporter = reporter or NullReporter()
    stages = tuple(stages)
    if not stages:
        raise GlimpseError("an encoder needs at least one stage", hint=f"use {', '.join(STAGE_NEEDS)}")
    for stage in stages:
        if stage not in STAGE_NEEDS:
            raise GlimpseError(f"unknown stage {stage!r}", hint=f"use one of {', '.join(STAGE_NEEDS)}")
        if "faces" in STAGE_NEEDS[stage] and (faces is None or len(faces) == 0):
            raise GlimpseError(f"stage {stage} needs face images", hint="ingest the faces dataset")
        if "macro" in STAGE_NEEDS[stage] and (macro is None or len(macro[0]) == 0):
            raise GlimpseError(
                f"stage {stage} needs macro-expression images", hint="ingest the macro dataset"
            )
    seed_everything(seed)
    encoder = build_encoder(cfg)
    n = len(stages)
    # what each stage trains on, as memo keys need it (only inside an ablation that shares stages)
    images = [_stage_images(s, faces, macro) if TRAINED_STAGES.active else None for s in stages]
    inputs = StageInputs(cfg, seed, device, tuple(images))
    done, stage_losses = reuse_trained_prefix(stages, inputs, encoder, reporter)
    if reused is not None:
        reused.extend(stages[:done])
    for i in range(done, n):
        stage = stages[i]
        needs = STAGE_NEEDS[stage]
        stage_losses.append(
            _epochs(
                stage,
                encoder,
                cfg,
                device,
                seed + i,
                faces if "faces" in needs else None,
                macro if "macro" in needs else None,
                reporter,
                i / n,
                (i + 1) / n,
            )
        )
        # kept for a variant that extends it (FULL's FIR is FIR's whole training)
        keep_trained_prefix(stages[: i + 1], inputs, encoder, stage_losses)
    losses: dict[str, float] = {}
    for stage, per_stage in zip(stages, stage_losses, strict=True):
        losses.update({(f"{stage}_{k}" if n > 1 else k): v for k, v in per_stage.items()})
    encoder.eval()
    return {k: v.detach().cpu() for k, v in encoder.state_dict().items()}, losses


def _stage_images(
    stage: str, faces: np.ndarray | None, macro: tuple[np.ndarray, np.ndarray] | None
) -> str | None:
    """The fingerprint of what ``stage`` trains on (its part of a stage memo key)."""
    needs = STAGE_NEEDS[stage]
    return "|".join(
        str(fingerprint(data)) for role, data in (("faces", faces), ("macro", macro)) if role in needs
    )


def load_encoder(state: dict[str, torch.Tensor], cfg: EncoderStageConfig) -> Encoder:
    encoder = build_encoder(cfg)
    encoder.load_state_dict(state)
    return encoder.eval()
