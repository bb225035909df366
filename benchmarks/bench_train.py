"""Throughput of the training stages and the engine's overhead over a bare torch loop (same model, same
data, same batch size, measured in the same run).

    .venv/bin/python benchmarks/bench_train.py [--threads 2] [--images 1024] [--epochs 2]

Prints images/s for stage 1 (FIR, CAE reconstruction) and stage 2 (ER, 4-class head), clips/s for stage 3
(RNN on cached features, one LOSO-sized fold), the cached-features speed-up over re-running the encoder,
and bf16-autocast vs fp32 on CPU.
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np
import torch
from torch.nn import functional as F


def bare_fir(images: np.ndarray, epochs: int, batch: int, lr: float, seed: int) -> float:
    """The loop a researcher would write by hand: shuffle, forward, MSE, step."""
    from models.cae import CAE
    from models.registry import create_model

    torch.manual_seed(seed)
    cae = CAE(create_model("enc_small"))
    opt = torch.optim.AdamW(cae.parameters(), lr=lr, weight_decay=1e-4)
    x = torch.from_numpy(images).float().div(255).unsqueeze(1)
    start = time.perf_counter()
    for _ in range(epochs):
        for idx in torch.randperm(len(x)).split(batch):
            loss = F.mse_loss(cae(x[idx]), x[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return time.perf_counter() - start


def bare_er(images: np.ndarray, labels: np.ndarray, epochs: int, batch: int, lr: float, seed: int) -> float:
    from models.heads import ExpressionHead
    from models.registry import create_model

    torch.manual_seed(seed)
    enc = create_model("enc_small")
    head = ExpressionHead(enc.feature_dim, 4)
    opt = torch.optim.AdamW([*enc.parameters(), *head.parameters()], lr=lr, weight_decay=1e-4)
    x = torch.from_numpy(images).float().div(255).unsqueeze(1)
    y = torch.from_numpy(labels).long()
    start = time.perf_counter()
    for _ in range(epochs):
        for idx in torch.randperm(len(x)).split(batch):
            loss = F.cross_entropy(head(enc.forward_features(x[idx])), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--images", type=int, default=1024)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--clips", type=int, default=150)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    from engine.train.config import EncoderStageConfig, SequenceConfig
    from engine.train.features import encode_frames
    from engine.train.runtime import resolve_device
    from engine.train.sequence import train_and_predict
    from engine.train.stages import load_encoder, train_encoder

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (args.images, 64, 64), dtype=np.uint8)
    labels = rng.integers(0, 4, args.images)
    cpu = resolve_device("cpu")
    cfg = EncoderStageConfig(epochs=args.epochs, augment=False, class_weighting=False)
    n = args.images * args.epochs
    print(
        f"threads={args.threads} images={args.images} epochs={args.epochs} "
        f"model=enc_small 64x64 batch={cfg.batch_size}"
    )

    for stage, bare in (
        ("fir", lambda: bare_fir(images, args.epochs, cfg.batch_size, cfg.lr, 0)),
        ("er", lambda: bare_er(images, labels, args.epochs, cfg.batch_size, cfg.lr, 0)),
    ):
        bare()  # warm-up (allocator, kernels)
        t_bare = min(bare() for _ in range(2))
        times = []
        for _ in range(2):
            start = time.perf_counter()
            train_encoder((stage,), cfg, 0, cpu, faces=images, macro=(images, labels))
            times.append(time.perf_counter() - start)
        t_engine = min(times)
        print(
            f"stage {stage}: engine {n / t_engine:8.1f} images/s   bare torch {n / t_bare:8.1f} images/s   "
            f"overhead {100 * (t_engine / t_bare - 1):+.1f}%"
        )

    from dataclasses import replace

    for stage in ("fir", "er"):
        for bf16 in (False, True):
            start = time.perf_counter()
            train_encoder((stage,), replace(cfg, bf16=bf16), 0, cpu, faces=images, macro=(images, labels))
            print(f"stage {stage} bf16={bf16}: {n / (time.perf_counter() - start):8.1f} images/s")

    # stage 3: one LOSO-sized fold on cached features
    seq = SequenceConfig()
    x = rng.normal(size=(args.clips, seq.seq_len, 64)).astype(np.float32)
    y = rng.integers(0, 3, args.clips)
    train_idx, test_idx = np.arange(6, args.clips), np.arange(6)
    start = time.perf_counter()
    train_and_predict(x, y, train_idx, test_idx, seq, 0, 3, cpu)
    t_fold = time.perf_counter() - start
    print(
        f"stage 3 (frozen, cached features): {len(train_idx) * seq.epochs / t_fold:8.1f} clips/s trained "
        f"({seq.epochs} epochs, {t_fold:.2f} s per fold)"
    )

    # per-frame features: computed once and cached vs re-running the encoder in every fold
    enc_state, _ = train_encoder(("fir",), replace(cfg, epochs=1), 0, cpu, faces=images[:64])
    encoder = load_encoder(enc_state, cfg)
    frames = rng.integers(0, 256, (args.clips, seq.seq_len, 64, 64), dtype=np.uint8)
    start = time.perf_counter()
    feats = encode_frames(encoder, frames, cpu)
    t_encode = time.perf_counter() - start
    with tempfile.NamedTemporaryFile(suffix=".npz") as fh:
        np.savez(fh.name, features=feats)
        start = time.perf_counter()
        np.load(fh.name)["features"].sum()
        t_load = time.perf_counter() - start
    print(
        f"per-frame features for {args.clips} clips x {seq.seq_len} frames: encoder {t_encode:.3f} s, "
        f"cached read {t_load:.4f} s (x{t_encode / max(t_load, 1e-9):.0f} per fold)"
    )
    fine = replace(seq, freeze_encoder=False, epochs=2)
    start = time.perf_counter()
    train_and_predict(
        x, y, train_idx, test_idx, fine, 0, 3, cpu, frames=frames, encoder_state=enc_state, encoder_cfg=cfg
    )
    t_fine = (time.perf_counter() - start) / fine.epochs
    t_frozen = t_fold / seq.epochs
    print(
        f"stage 3 per epoch: frozen+cached {t_frozen:.3f} s, fine-tuning the encoder {t_fine:.3f} s "
        f"(x{t_fine / t_frozen:.0f})"
    )


if __name__ == "__main__":
    main()
