"""One-shot GPU check: the stage throughputs on CUDA beside CPU (images/s per stage, and the ratio), then a
short FULL ablation on the tiny SYNTHETIC corpus on both devices.

    .venv/bin/python benchmarks/bench_gpu.py [--images 2048] [--epochs 2] [--threads 1]

Exits 0 with a message when no CUDA GPU is present (the test suite never needs one). ``--device cpu``
runs every step on the CPU on both sides: a smoke test of this script on a machine without a GPU.
Every figure of one run comes from the same process, so the ratios are side by side. The ablation
runs under the run's own RuntimeConfig (deterministic algorithms, one intra-op thread on the CPU side),
so it says what a stored GPU run costs, not the fastest the GPU could go.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from engine.provenance import environment

STAGES: dict[str, tuple[str, ...]] = {"fir": ("fir",), "er": ("er",), "full": ("fir", "er")}


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _rate(n: int, fn: Callable[[], object], device: torch.device) -> float:
    """Items per second of ``fn`` (one warm-up call, then the better of two)."""
    fn()
    best = float("inf")
    for _ in range(2):
        _sync(device)
        start = time.perf_counter()
        fn()
        _sync(device)
        best = min(best, time.perf_counter() - start)
    return n / best


def stage_rates(device: torch.device, images: int, epochs: int, size: int) -> dict[str, float]:
    """images/s of each encoder stage's training, of per-frame feature extraction, and clips/s of stage 3."""
    from engine.train.config import EncoderStageConfig, SequenceConfig
    from engine.train.features import encode_frames
    from engine.train.sequence import train_and_predict
    from engine.train.stages import load_encoder, train_encoder

    rng = np.random.default_rng(0)
    faces = rng.integers(0, 256, (images, size, size), dtype=np.uint8)
    labels = rng.integers(0, 4, images)
    cfg = EncoderStageConfig(image_size=size, epochs=epochs, augment=False, class_weighting=False)
    out: dict[str, float] = {}
    for name, stages in STAGES.items():

        def train(stages: tuple[str, ...] = stages) -> object:
            return train_encoder(stages, cfg, 0, device, faces=faces, macro=(faces, labels))

        out[f"train {name} (img/s)"] = _rate(images * epochs * len(stages), train, device)
    state, _ = train_encoder(
        ("fir",), EncoderStageConfig(image_size=size, epochs=1), 0, device, faces=faces[:64]
    )
    encoder = load_encoder(state, cfg)
    seq = SequenceConfig()
    frames = rng.integers(0, 256, (max(1, images // seq.seq_len), seq.seq_len, size, size), dtype=np.uint8)
    out["features (img/s)"] = _rate(
        frames.shape[0] * seq.seq_len, lambda: encode_frames(encoder, frames, device), device
    )
    x = rng.normal(size=(150, seq.seq_len, 64)).astype(np.float32)
    y = rng.integers(0, 3, 150)
    train_idx, test_idx = np.arange(6, 150), np.arange(6)
    out["stage 3 fold (clips/s)"] = _rate(
        len(train_idx) * seq.epochs,
        lambda: train_and_predict(x, y, train_idx, test_idx, seq, 0, 3, device),
        device,
    )
    return out


@dataclass(frozen=True)
class AblationTiming:
    run: str
    wall_s: float
    uf1: float


def short_ablation(device: str) -> AblationTiming:
    """FULL × seed 0 × LOSO on the tiny synthetic corpus (made once in GLIMPSE_HOME): wall time and UF1."""
    from sqlalchemy import select

    from db.schema import Dataset
    from db.session import default_url, session_scope
    from engine.ingest.catalog import ingest_synthetic_corpus
    from engine.paths import synthetic_dir
    from engine.synth.config import SynthConfig
    from engine.synth.write import generate_corpus
    from engine.train.ablation import run_ablation
    from engine.train.config import AblationConfig

    url = default_url()
    with session_scope(url) as session:
        if session.scalar(select(Dataset.id).where(Dataset.name == "synthetic-casme2")) is None:
            generate_corpus(synthetic_dir(), SynthConfig.tiny(0))
            ingest_synthetic_corpus(session, synthetic_dir())
    cfg = AblationConfig.from_dict(
        {**AblationConfig.tiny().to_dict(), "variants": ["full"], "device": device}
    )
    start = time.perf_counter()
    parent, comparison = run_ablation(url, cfg)
    wall = time.perf_counter() - start
    return AblationTiming(parent, wall, float(comparison["variants"]["full"]["uf1"][0]))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cuda", help="cuda (default) | cuda:N | cpu (smoke test)")
    parser.add_argument("--images", type=int, default=2048)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument(
        "--size", type=int, default=64, help="face crop side (64 default, 128 for enc_base runs)"
    )
    parser.add_argument("--threads", type=int, default=1, help="CPU intra-op threads of the CPU side")
    args = parser.parse_args()
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print(f"no CUDA GPU here (torch {torch.__version__}): nothing to measure — run this on a GPU machine")
        return 0
    torch.set_num_threads(args.threads)
    os.environ.setdefault("GLIMPSE_HOME", tempfile.mkdtemp(prefix="glimpse-bench-gpu-"))
    os.environ.pop("GLIMPSE_DB_URL", None)
    gpu = torch.device(args.device)
    print(json.dumps({"cpu": environment("cpu"), "gpu": environment(str(gpu))}, indent=1))
    print(f"images={args.images} epochs={args.epochs} size={args.size} cpu threads={args.threads}")
    cpu_rates = stage_rates(torch.device("cpu"), args.images, args.epochs, args.size)
    gpu_rates = stage_rates(gpu, args.images, args.epochs, args.size)
    print(f"{'stage':26s} {'CPU':>10s} {str(gpu):>10s} {'ratio':>7s}")
    for name, cpu_rate in cpu_rates.items():
        print(f"{name:26s} {cpu_rate:10.1f} {gpu_rates[name]:10.1f} {gpu_rates[name] / cpu_rate:6.1f}x")
    on_cpu, on_gpu = short_ablation("cpu"), short_ablation(str(gpu))
    print(
        f"short FULL ablation (tiny SYNTHETIC corpus, seed 0, LOSO): CPU {on_cpu.wall_s:.1f} s "
        f"(UF1 {on_cpu.uf1:.3f}), {gpu} {on_gpu.wall_s:.1f} s (UF1 {on_gpu.uf1:.3f}), "
        f"ratio {on_cpu.wall_s / on_gpu.wall_s:.1f}x  [runs {on_cpu.run}, {on_gpu.run}]"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
