"""How long each workbench page script takes to run (what a user waits for after a click), and the
facade calls behind the player — on a SYNTHETIC catalog: the tiny synthetic corpus plus one tiny
training run (created here in a temporary GLIMPSE_HOME).

    .venv/bin/python benchmarks/bench_workbench.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path


def _timed(fn, repeat: int) -> float:  # noqa: ANN001
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="glimpse-bench-")) / "home"
    home.mkdir()
    os.environ["GLIMPSE_HOME"] = str(home)
    os.environ.pop("GLIMPSE_DB_URL", None)

    import torch

    torch.set_num_threads(1)
    from streamlit.testing.v1 import AppTest

    from db.session import session_scope
    from engine import api
    from engine.ingest.catalog import ingest_synthetic_corpus
    from engine.paths import synthetic_dir
    from engine.synth.config import SynthConfig
    from engine.synth.write import generate_corpus
    from engine.train.entry import run_from_params
    from workbench.pages.train import build_params

    t0 = time.perf_counter()
    generate_corpus(synthetic_dir(), SynthConfig.tiny())
    with session_scope() as s:
        ingest_synthetic_corpus(s, synthetic_dir())
    d = api.training_defaults(tiny=True)
    params = build_params(
        "train", "full", [], "0", "synthetic-casme2", True, dict(d.encoder), dict(d.sequence)
    )
    run_id = run_from_params("train", params)["run_id"]
    print(f"setup (tiny synthetic corpus + 1 tiny train run): {time.perf_counter() - t0:.1f} s")

    clip_id = int(api.clips(api.ClipQuery(dataset="synthetic-casme2"), 0, 1)[0].id[0])
    detail = api.clip_detail(clip_id, api.local_actor())
    frame = detail.frame_numbers[len(detail.frame_numbers) // 2]
    print(
        f"\nfacade (SYNTHETIC, clip {clip_id}, {len(detail.frame_numbers)} frames), median of {args.repeat}:"
    )
    for name, fn in [
        ("clips(page of 100)", lambda: api.clips(api.ClipQuery(), 0, 100)),
        ("clip_detail", lambda: api.clip_detail(clip_id, api.local_actor())),
        ("frame_image", lambda: api.frame_image(clip_id, frame)),
        ("landmarks", lambda: api.landmarks(clip_id, frame)),
        ("face_crops (cached)", lambda: api.face_crops(clip_id)),
        ("difference_image", lambda: api.difference_image(clip_id)),
        ("suggest_apex", lambda: api.suggest_apex(api.local_actor(), clip_id)),
        ("run_detail", lambda: api.run_detail(run_id)),
        ("trajectories", lambda: api.trajectories(run_id, api.trajectory_clips(run_id)[0])),
    ]:
        print(f"  {name:<24} {_timed(fn, args.repeat) * 1000:8.1f} ms")

    print(f"\npage script runs (AppTest, SYNTHETIC), median of {args.repeat}:")
    state = {"clip_id": clip_id, "run_id": run_id}
    for page in ("datasets", "clips", "annotate", "train", "results", "compare", "trajectories"):

        def run(page: str = page) -> None:
            at = AppTest.from_string(
                f"from workbench.pages import {page}\n{page}.render()\n", default_timeout=120
            )
            for k, v in state.items():
                at.session_state[k] = v
            at.run()
            assert not at.exception, at.exception

        print(f"  {page:<24} {_timed(run, args.repeat) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
