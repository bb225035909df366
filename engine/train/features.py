"""Per-frame encoder features of every ME clip, computed ONCE per encoder and cached on disk.

Stage 3 with a frozen encoder only needs these; every LOSO fold (and every process running one) reads
the same file instead of re-running the CNN – the main reason the ablation fits in minutes.
Layout: ``cache_dir()/features/<encoder sha>/<sequence-set key>.npz`` with ``features`` (N, T, D),
``numbers`` (N, T) and ``clip_ids`` (N,).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import torch

from engine.paths import cache_dir
from engine.preprocess.cache import save_npz
from engine.progress import NullReporter, Reporter
from engine.train.data import SequenceSet
from engine.train.runtime import autocast
from engine.train.stages import to_tensor
from models.encoder import Encoder


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@torch.no_grad()
def encode_frames(
    encoder: Encoder, frames: np.ndarray, device: torch.device, batch: int = 256, bf16: bool = False
) -> np.ndarray:
    """(N, T, S, S) uint8 → (N, T, D) float32 features, in eval mode."""
    encoder = encoder.to(device).eval()
    n, t = frames.shape[:2]
    flat = frames.reshape(n * t, *frames.shape[2:])
    out = []
    for i in range(0, len(flat), batch):
        with autocast(device, bf16):
            out.append(encoder.forward_features(to_tensor(flat[i : i + batch]).to(device)).float().cpu())
    return torch.cat(out).reshape(n, t, -1).numpy()


def features_path(encoder_path: str | Path, sequences: SequenceSet) -> Path:
    return cache_dir() / "features" / file_sha256(encoder_path)[:20] / f"{sequences.key}.npz"


def cached_features(
    encoder: Encoder,
    encoder_path: str | Path,
    sequences: SequenceSet,
    device: torch.device,
    bf16: bool = False,
    reporter: Reporter | None = None,
) -> Path:
    """The features file for (this encoder's bytes, these sequences), computing it when missing."""
    reporter = reporter or NullReporter()
    path = features_path(encoder_path, sequences)
    if path.exists():
        reporter.log(f"per-frame features reused from cache {path.parent.name}")
        return path
    data = np.load(sequences.path)
    feats = encode_frames(encoder, data["frames"], device, bf16=bf16)
    save_npz(path, features=feats.astype(np.float32), numbers=data["numbers"], clip_ids=data["clip_ids"])
    reporter.progress(1.0, "per-frame features cached")
    return path
