"""Time the synthetic corpus generator on the default (CASME II-sized) config.

Usage: .venv/bin/python benchmarks/bench_synth.py [--workers N] [--tiny] [--keep DIR]
Prints wall time, CPU time, images, images/s and size on disk (synthetic data).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from engine.synth.config import SynthConfig
from engine.synth.write import generate_corpus


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--tiny", action="store_true")
    parser.add_argument("--keep", type=Path, default=None, help="write here and keep it")
    args = parser.parse_args()
    cfg = SynthConfig.tiny() if args.tiny else SynthConfig()
    if args.workers is not None:
        cfg = dataclasses.replace(cfg, workers=args.workers)
    tmp = Path(tempfile.mkdtemp(prefix="bench-synth-"))
    out = args.keep or tmp / "corpus"
    try:
        cpu0, t0 = _cpu_seconds(), time.perf_counter()
        manifest = generate_corpus(out, cfg)
        wall, cpu = time.perf_counter() - t0, _cpu_seconds() - cpu0
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        name = "tiny" if args.tiny else "default"
        print(f"config: {name}, workers={cfg.workers}, frame_size={cfg.frame_size}")
        print(f"cpus visible: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f}")
        print(
            f"ME clips {manifest.n_me_clips} / subjects {manifest.n_me_subjects}, "
            f"CK+ sequences {manifest.n_macro_sequences}, faces {manifest.n_face_images}"
        )
        print(f"images: {manifest.n_frames}")
        print(f"wall: {wall:.1f} s   cpu (all processes): {cpu:.1f} s")
        n = manifest.n_frames
        print(f"throughput: {n / wall:.0f} images/s wall, {n / cpu:.0f} images/cpu-s")
        print(f"size on disk: {size / 2**20:.1f} MiB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
