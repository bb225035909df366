"""Wall time of the default ablation (FIR/ER/MIXT/FULL × LOSO × seeds) on the default synthetic corpus.

    GLIMPSE_HOME=/tmp/bench-home .venv/bin/python benchmarks/bench_ablation.py [--seeds 0] [--threads 2]

Generates and ingests the default synthetic corpus into GLIMPSE_HOME when it is not there yet (not timed),
then times the whole ablation, split into data loading (face crops, cached after the first run),
encoder training and LOSO stage 3 per variant. Results are on SYNTHETIC data.
"""

from __future__ import annotations

import argparse
import json
import time

import torch


def ensure_corpus(url: str) -> None:
    from sqlalchemy import select

    from db.schema import Dataset
    from db.session import session_factory
    from engine.paths import synthetic_dir

    with session_factory(url)() as session:
        if session.scalar(select(Dataset.id).where(Dataset.name == "synthetic-casme2")) is not None:
            return
        from engine.ingest.catalog import ingest_synthetic_corpus
        from engine.synth.config import SynthConfig
        from engine.synth.write import generate_corpus

        start = time.perf_counter()
        generate_corpus(synthetic_dir(), SynthConfig())
        ingest_synthetic_corpus(session, synthetic_dir())
        session.commit()
        print(f"default synthetic corpus ready in {time.perf_counter() - start:.1f} s (not timed)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--variants", default="fir,er,mixt,full")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    from db.session import default_url
    from engine.train.ablation import run_ablation
    from engine.train.config import AblationConfig, RuntimeConfig

    url = default_url()
    ensure_corpus(url)
    cfg = AblationConfig(
        variants=tuple(args.variants.split(",")),
        seeds=tuple(int(s) for s in args.seeds.split(",")),
        device="cpu",
        runtime=RuntimeConfig(threads=args.threads),  # applied inside the run, whatever this process has
    )
    timings: list[tuple[str, float]] = []

    class Clock:
        """Notes when each child run starts (from the progress messages) to split the wall time."""

        def __init__(self) -> None:
            self.start = time.perf_counter()

        def progress(self, fraction: float, message: str = "") -> None:
            if message.endswith(": preparing"):
                timings.append((message.removesuffix(": preparing"), time.perf_counter()))

        def log(self, line: str) -> None:
            print(f"  {time.perf_counter() - self.start:7.1f} s  {line}", flush=True)

        def cancelled(self) -> bool:
            return False

    clock = Clock()
    parent, comparison = run_ablation(url, cfg, clock)
    total = time.perf_counter() - clock.start
    print(
        f"ablation {parent}: {len(cfg.variants)} variants x {len(cfg.seeds)} seed(s) x LOSO, "
        f"threads={args.threads}: {total:.1f} s wall ({total / 60:.2f} min)  [SYNTHETIC corpus]"
    )
    ends = [t for _, t in timings[1:]] + [clock.start + total]
    for (name, t0), t1 in zip(timings, ends, strict=True):
        print(f"  {name:16s} {t1 - t0:7.1f} s")
    print(json.dumps({v: {"uf1": r["uf1"], "uar": r["uar"]} for v, r in comparison["variants"].items()}))
    print("chance:", json.dumps(comparison.get("chance")))


if __name__ == "__main__":
    main()
