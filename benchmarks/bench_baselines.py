"""Throughput of the baselines: LBP-TOP features/s, flow images/s, LBP-TOP SVM and flow-CNN fit times.

Synthetic random inputs (shapes of the default corpus: 64×64 crops, onset→offset spans of T frames).
Run: .venv/bin/python benchmarks/bench_baselines.py [--threads 1]
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import torch
from skimage.feature import local_binary_pattern

from engine.baselines.flow import FlowCNNClassifier, flow_image
from engine.baselines.lbptop import LBPTOPSVM, lbp_top


def _timeit(fn, repeat: int) -> float:
    fn()  # warm-up
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def lbp_top_skimage_slices(seq: np.ndarray) -> np.ndarray:
    """Reference: skimage per plane slice (T + H + W calls), for the speed comparison only."""
    out = []
    for plane in (seq, seq.transpose(1, 0, 2), seq.transpose(2, 0, 1)):
        codes = np.stack([local_binary_pattern(s, 8, 1, "nri_uniform") for s in plane])
        out.append(np.bincount(codes.astype(int).ravel(), minlength=59))
    return np.stack(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--clips", type=int, default=200, help="training set size for the fit timings")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    print(f"python {platform.python_version()} · torch {torch.__version__} · threads {args.threads}")

    for t in (12, 60):
        seq = rng.integers(0, 256, (t, 64, 64)).astype(np.uint8)
        sec = _timeit(lambda seq=seq: lbp_top(seq), 10)
        ref = _timeit(lambda seq=seq: lbp_top_skimage_slices(seq), 3)
        print(
            f"LBP-TOP 64×64×{t} (5×5 blocks, 3×25×59 = 4425 dims): {1 / sec:7.1f} clips/s "
            f"({sec * 1e3:.1f} ms/clip); skimage per-slice reference {ref * 1e3:.1f} ms/clip"
        )

    onset = rng.integers(0, 256, (64, 64)).astype(np.uint8)
    apex = np.roll(onset, 1, axis=1)
    sec = _timeit(lambda: flow_image(onset, apex, 28), 20)
    print(f"flow image (Farneback 64×64 → 3×28×28): {1 / sec:7.1f} clips/s ({sec * 1e3:.1f} ms/clip)")

    labels = np.array(["negative", "positive", "surprise"])
    y = labels[rng.integers(0, 3, args.clips)]
    feats = rng.random((args.clips, 4425)).astype(np.float32)
    sec = _timeit(lambda: LBPTOPSVM(precomputed=True).fit(feats, y), 3)
    print(f"LBP-TOP linear SVM fit, {args.clips} clips × 4425 dims: {sec:.2f} s")

    flows = rng.normal(0, 1, (args.clips, 3, 28, 28)).astype(np.float32)
    clf = FlowCNNClassifier(epochs=40, batch_size=32)
    sec = _timeit(lambda: clf.fit(flows, y), 1)
    rate = args.clips * 40 / sec
    print(f"flow CNN fit, {args.clips} clips × 40 epochs: {sec:.2f} s ({rate:.0f} samples/s)")


if __name__ == "__main__":
    main()
