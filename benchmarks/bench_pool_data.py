"""Ingest's frame check and preprocessing on the local worker pool: frames/s in total and per core, one
worker (in this process) against N worker processes, side by side in one run.

    .venv/bin/python benchmarks/bench_pool_data.py [--size tiny|default | --root FOLDER] [--workers 1 2]

Generates the SYNTHETIC corpus once in a temp folder; for each worker count, ingests its CASME II-layout
dataset into a fresh home (the every-frame decode check, ``verify_clips``, timed alone first) and makes
every clip's face crops cold (``preprocess_dataset``, ground-truth landmarks, 64 px). CPU-seconds count
this process and its reaped workers; "per core" is frames per CPU-second. A pool's wall time includes
starting its workers (spawn: a fresh interpreter importing torch), which a small corpus does not amortise.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench_pool import cpu_seconds

from db.session import session_factory
from engine.ingest import READERS
from engine.ingest.catalog import ingest_dataset
from engine.ingest.verify import verify_clips
from engine.preprocess.cache import preprocess_dataset
from engine.preprocess.config import PreprocessConfig
from engine.synth.config import SynthConfig
from engine.synth.write import generate_corpus


def row(what: str, workers: int, frames: int, wall: float, cpu: float) -> None:
    print(
        f"{what:14s} {workers:7d} {frames:8,d} {wall:8.2f} {cpu:8.2f} "
        f"{frames / wall:10,.0f} {frames / max(cpu, 1e-9):12,.0f} {cpu / wall:6.2f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=("tiny", "default"), default="tiny")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--root", type=Path, help="an existing CASME II-layout folder")
    args = parser.parse_args()
    cfg = SynthConfig.tiny() if args.size == "tiny" else SynthConfig()
    with tempfile.TemporaryDirectory() as tmp:
        if args.root:
            root = args.root.resolve()
        else:
            corpus = Path(tmp) / "synthetic"
            generate_corpus(corpus, replace(cfg, workers=1))
            root = (corpus / "casme2").resolve()
        clips = READERS["casme2"](root).clips
        n_frames = sum(len(c.frames) for c in clips)
        print(f"SYNTHETIC corpus {root}: {len(clips)} clips / {n_frames:,} frames")
        print(f"cpu count {os.cpu_count()}; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        verify_clips(root, clips, 1)  # warm the page cache for every worker count alike
        print(f"{'step':14s} {'workers':>7s} {'frames':>8s} {'wall s':>8s} {'CPU s':>8s} "
              f"{'frames/s':>10s} {'per CPU-s':>12s} {'cores':>6s}")  # fmt: skip
        for workers in args.workers:
            cpu, wall = cpu_seconds(), time.perf_counter()
            verify_clips(root, clips, workers)
            row("decode check", workers, n_frames, time.perf_counter() - wall, cpu_seconds() - cpu)
        for workers in args.workers:
            home = Path(tmp) / f"home-{workers}"
            home.mkdir()
            os.environ["GLIMPSE_HOME"] = str(home)
            session = session_factory(f"sqlite:///{home / 'catalog.sqlite'}")()
            report = ingest_dataset(session, root, fmt="casme2", is_synthetic=True, decode_workers=workers)
            session.commit()
            dataset_id = report.dataset_id
            cpu, wall = cpu_seconds(), time.perf_counter()
            crops = preprocess_dataset(session, dataset_id, PreprocessConfig(size=64), workers=workers)
            row("preprocess", workers, crops.n_frames, time.perf_counter() - wall, cpu_seconds() - cpu)
            session.close()
        print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
