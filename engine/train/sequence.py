"""Stage 3 for one LOSO fold: an RNN over per-frame features (frozen encoder: cached features; fine-tune:
the encoder runs inside), trained on the training subjects only, predicting the held-out subject."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from engine.evaluate.metrics import compute_metrics
from engine.train.config import EncoderStageConfig, SequenceConfig
from engine.train.runtime import seed_everything
from engine.train.stages import build_encoder, class_weights, to_tensor
from models.sequence import SequenceClassifier


@dataclass
class FoldOutput:
    probs: np.ndarray  # (n_test, C)
    frame_scores: np.ndarray  # (n_test, T, C)
    epochs_used: int


def _prepare_inputs(x: np.ndarray, train_idx: np.ndarray, relative: bool) -> np.ndarray:
    """Onset-relative features, standardised with TRAINING clips' statistics only (no test leakage)."""
    x = x.astype(np.float32)
    if relative:
        x = x - x[:, :1]
    mean = x[train_idx].reshape(-1, x.shape[-1]).mean(0)
    std = x[train_idx].reshape(-1, x.shape[-1]).std(0) + 1e-6
    return (x - mean) / std


def _order(y: np.ndarray, cfg: SequenceConfig, n_classes: int, gen: torch.Generator) -> torch.Tensor:
    """One epoch's sample order: a shuffle, or a class-balanced draw with replacement ("sampler")."""
    if cfg.imbalance == "sampler":
        w = class_weights(y, n_classes).numpy()[y]
        return torch.multinomial(
            torch.tensor(w, dtype=torch.float64), len(y), replacement=True, generator=gen
        )
    return torch.randperm(len(y), generator=gen)


def train_and_predict(
    x: np.ndarray,
    y: np.ndarray,
    train_idx: np.ndarray,
    test_idx: np.ndarray,
    cfg: SequenceConfig,
    seed: int,
    n_classes: int,
    device: torch.device,
    val_idx: np.ndarray | None = None,
    frames: np.ndarray | None = None,
    encoder_state: dict[str, torch.Tensor] | None = None,
    encoder_cfg: EncoderStageConfig | None = None,
    select_on_test: bool = False,
) -> FoldOutput:
    """Train the sequence classifier on ``train_idx`` (minus ``val_idx``) and score ``test_idx``.

    ``x`` (N, T, D) cached features; with ``cfg.freeze_encoder`` False, ``frames`` (N, T, S, S) and the
    encoder's state are used instead and the encoder is fine-tuned with the RNN. With ``val_idx`` (drawn
    from training subjects) the epoch with the best validation UF1 is kept; otherwise the last epoch.
    ``select_on_test`` (FLAWED, the leakage audit only): the epoch with the best accuracy on the TEST
    subject is kept, as HTNet/CausalNet do — ``y`` then holds the test labels too.
    """
    seed_everything(seed)
    gen = torch.Generator().manual_seed(seed)
    val_idx = np.asarray(val_idx if val_idx is not None else [], dtype=int)
    fit_idx = np.setdiff1d(train_idx, val_idx) if len(val_idx) else np.asarray(train_idx)
    fine_tune = not cfg.freeze_encoder and frames is not None and encoder_state is not None
    encoder = None
    if fine_tune and encoder_state is not None:
        encoder = build_encoder(encoder_cfg or EncoderStageConfig())
        encoder.load_state_dict(encoder_state)
        encoder.to(device).train()
        inputs = torch.from_numpy(np.ascontiguousarray(frames))
        in_features = encoder.feature_dim
    else:
        inputs = torch.from_numpy(_prepare_inputs(x, fit_idx, cfg.relative_to_onset))
        in_features = x.shape[-1]
    model = SequenceClassifier(
        in_features, cfg.hidden, cfg.layers, cfg.rnn, num_classes=n_classes, dropout=cfg.dropout
    ).to(device)
    params = list(model.parameters()) + (list(encoder.parameters()) if encoder is not None else [])
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    y_t = torch.from_numpy(y).long()
    weight = class_weights(y[fit_idx], n_classes).to(device) if cfg.imbalance == "weighted_loss" else None

    def embed(idx: torch.Tensor) -> torch.Tensor:
        if encoder is None:
            return inputs[idx].to(device)
        fr = inputs[idx]  # (B, T, S, S) uint8
        b, t = fr.shape[:2]
        feats = encoder.forward_features(to_tensor(fr.reshape(b * t, *fr.shape[2:]).numpy()).to(device))
        feats = feats.reshape(b, t, -1)
        return feats - feats[:, :1] if cfg.relative_to_onset else feats

    def predict(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        model.eval()
        if encoder is not None:
            encoder.eval()
        with torch.no_grad():
            z = embed(torch.from_numpy(np.asarray(idx, dtype=np.int64)))
            steps = model.timestep_scores(z)
        model.train()
        if encoder is not None:
            encoder.train()
        return steps[:, -1].cpu().numpy(), steps.cpu().numpy()

    best_state, best_score, best_epoch = None, -1.0, cfg.epochs
    fit_t = torch.from_numpy(fit_idx.astype(np.int64))
    for epoch in range(cfg.epochs):
        order = fit_t[_order(y[fit_idx], cfg, n_classes, gen)]
        for i in range(0, len(order), cfg.batch_size):
            idx = order[i : i + cfg.batch_size]
            logits = model(embed(idx))
            loss = F.cross_entropy(logits, y_t[idx].to(device), weight=weight)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        select_idx = test_idx if select_on_test else val_idx
        if len(select_idx):
            probs, _ = predict(select_idx)
            labels = [str(i) for i in range(n_classes)]
            scores = compute_metrics(
                [str(v) for v in y[select_idx]], [str(v) for v in probs.argmax(1)], labels
            )
            score = scores.accuracy if select_on_test else scores.uf1
            if score > best_score or (select_on_test and score == best_score):
                best_score, best_epoch = score, epoch + 1
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    if best_state is not None:
        model.load_state_dict(best_state)
    probs, steps = predict(test_idx)
    return FoldOutput(probs=probs, frame_scores=steps, epochs_used=best_epoch)
