"""Ingest's every-frame decode check: frames/s with 1 and 2 decode workers (processes of the local pool;
1 = in this process), side by side in one run.

Generates the synthetic corpus (SYNTHETIC data; CASME II layout) in a temp folder, reads it with the
real CASME II reader (structure checks only), then times ``engine.ingest.verify.verify_clips`` over all
its clips with each worker count, alternating them over ``--repeats`` rounds after one warm-up pass (so
both see a warm page cache). For scale it also times the check the old ingest did (decode onset, apex and
offset only). Finally one full ``ingest_dataset`` per worker count into a fresh SQLite catalog. "Cores
busy" is the CPU time of this process and its (reaped) workers over wall time: above 1 means the workers
really ran at once, whatever other load took from the wall-clock rate; frames per CPU-second is the rate
per core. A pool's wall time includes starting its worker processes.

Run: ``.venv/bin/python benchmarks/bench_ingest_decode.py [--size default] [--frame-size 128] [--repeats 3]``
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from db.session import session_factory
from engine.ingest import READERS
from engine.ingest.base import ClipRecord
from engine.ingest.catalog import ingest_dataset
from engine.ingest.verify import verify_clips
from engine.synth.config import SynthConfig
from engine.synth.write import generate_corpus


def cpu_seconds() -> float:
    """CPU time of this process and of the worker processes it has reaped."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _probe_only(clips: list[ClipRecord]) -> list[ClipRecord]:
    """The clips cut down to the frames the old ingest decoded (onset, apex, offset)."""
    out = []
    for clip in clips:
        coded = {clip.onset, clip.apex, clip.offset} - {None}
        out.append(replace(clip, frames=[f for f in clip.frames if f.number in coded] or clip.frames[:1]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=("tiny", "default"), default="default")
    parser.add_argument("--frame-size", type=int, default=None, help="synthetic frame side in pixels")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    cfg = SynthConfig.tiny() if args.size == "tiny" else SynthConfig()
    if args.frame_size:
        cfg = replace(cfg, frame_size=args.frame_size)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "synthetic"
        t0 = time.perf_counter()
        generate_corpus(corpus, cfg)
        root = (corpus / "casme2").resolve()
        print(
            f"SYNTHETIC corpus ({args.size}, {cfg.frame_size} px frames) in {time.perf_counter() - t0:.1f} s"
        )
        t0 = time.perf_counter()
        clips = READERS["casme2"](root).clips
        read_s = time.perf_counter() - t0
        n_frames = sum(len(c.frames) for c in clips)
        print(
            f"reader (structure checks, no decode): {len(clips)} clips / {n_frames:,} frames, {read_s:.2f} s"
        )
        print(f"cpu count {os.cpu_count()}; load average {os.getloadavg()[0]:.1f} at start")
        verify_clips(root, clips, max(args.workers))  # warm-up: page cache, decoder libraries
        rates: dict[int, list[float]] = {w: [] for w in args.workers}
        cores: dict[int, list[float]] = {w: [] for w in args.workers}  # process CPU time / wall time
        for _ in range(args.repeats):
            for workers in args.workers:
                cpu = cpu_seconds()
                _, issues, stats = verify_clips(root, clips, workers)
                assert not issues, issues[:3]
                rates[workers].append(stats.frames_per_s)
                cores[workers].append((cpu_seconds() - cpu) / stats.seconds)
        base = statistics.median(rates[args.workers[0]])
        for workers in args.workers:
            med = statistics.median(rates[workers])
            runs = ", ".join(f"{r:,.0f}" for r in rates[workers])
            print(
                f"every-frame decode check, {workers} worker(s): median {med:,.0f} frames/s "
                f"(runs: {runs}); ×{med / base:.2f} vs {args.workers[0]}; "
                f"cores busy {statistics.median(cores[workers]):.2f} "
                f"(≈ {med / statistics.median(cores[workers]):,.0f} frames per CPU-second)"
            )
        probe = _probe_only(clips)
        _, _, old = verify_clips(root, probe, 1)
        print(
            f"old check (onset/apex/offset only, 1 worker): {old.n_frames:,} frames in {old.seconds:.2f} s; "
            f"every frame decodes {n_frames / max(old.n_frames, 1):.1f}× as many"
        )
        for workers in args.workers:
            session = session_factory(f"sqlite:///{Path(tmp) / f'catalog-{workers}.sqlite'}")()
            t0 = time.perf_counter()
            report = ingest_dataset(session, root, fmt="casme2", is_synthetic=True, decode_workers=workers)
            total = time.perf_counter() - t0
            session.close()
            print(
                f"full ingest with {workers} decode worker(s): {report.n_clips} clips / {report.n_frames:,} "
                f"frames in {total:.2f} s (decode part {report.decode_frames_per_s:,.0f} frames/s)"
            )
        print(f"load average {os.getloadavg()[0]:.1f} at end")


if __name__ == "__main__":
    main()
