"""What one rerun of the Trajectories page reads: npz file opens and time, for N runs of M clips each,
the facade before the api split (commit 43fa89c, loaded from git) against today's, side by side in one
run; then the page itself, cold and on a rerun (``st.cache_data``). SYNTHETIC arrays in a temporary
GLIMPSE_HOME, in the layout ``engine.train.runs.record_loso`` writes.

    .venv/bin/python benchmarks/bench_trajectories.py [--runs 10 40] [--clips 12]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OLD_API = "43fa89c:engine/api.py"  # the 810-line facade, before it became a package
CHOSEN = 4  # the page overlays the first four runs holding the clip


class OpenCounter:
    """Counts ``numpy.load`` calls (every npz open goes through it)."""

    def __init__(self) -> None:
        self.count = 0
        self._load = np.load

    def __enter__(self) -> OpenCounter:
        def counting(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            self.count += 1
            return self._load(*args, **kwargs)

        np.load = counting
        return self

    def __exit__(self, *exc: object) -> None:
        np.load = self._load


def _seed(home: Path, n_runs: int, n_clips: int) -> int:
    from db.schema import Artifact, Clip, Dataset, Run, Subject
    from db.session import session_scope

    rng = np.random.default_rng(0)
    with session_scope() as s:
        ds = Dataset(
            name="synthetic-bench", format="casme2", purpose="micro", root=str(home), is_synthetic=True
        )
        sub = Subject(dataset=ds, code="sub01")
        clips = [
            Clip(dataset=ds, subject=sub, name=f"c{i}", path=f"c{i}", n_frames=12, onset=0, apex=5, offset=11)
            for i in range(n_clips)
        ]
        s.add_all(clips)
        s.flush()
        ids = [c.id for c in clips]
        for r in range(n_runs):
            run_id = f"run-{r:03d}"
            folder = home / "runs" / run_id
            folder.mkdir(parents=True)
            arrays = {}
            for cid in ids:
                arrays[f"feat_{cid}"] = rng.normal(size=(12, 32)).astype(np.float32)
                arrays[f"scores_{cid}"] = rng.dirichlet(np.ones(3), 12).astype(np.float32)
                arrays[f"frames_{cid}"] = np.arange(12)
            labels = np.array(["negative", "positive", "surprise"])
            np.savez_compressed(folder / "trajectories.npz", labels=labels, **arrays)
            s.add(Run(id=run_id, kind="loso", variant="full", status="succeeded", is_synthetic=True))
            s.add(Artifact(run_id=run_id, kind="frame_scores", path=f"runs/{run_id}/trajectories.npz"))
    return ids[0]


def _old_api():  # noqa: ANN202
    source = subprocess.run(["git", "show", OLD_API], cwd=ROOT, capture_output=True, text=True, check=True)
    path = Path(tempfile.mkdtemp()) / "old_api.py"
    path.write_text(source.stdout)
    spec = importlib.util.spec_from_file_location("old_api", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _old_rerun(old, clip_id: int) -> None:  # noqa: ANN001
    """The old page's reads: runs, every run's clips, the runs holding the clip, their trajectories."""
    runs = old.trajectory_runs()
    sorted({c for r in runs for c in old.trajectory_clips(r)})
    having = [r for r in runs if clip_id in old.trajectory_clips(r)]
    for r in having[:CHOSEN]:
        old.trajectories(r, clip_id)


def _new_rerun(api, clip_id: int) -> None:  # noqa: ANN001
    """Today's page reads without its st.cache_data: the index, then the chosen trajectories."""
    index = api.trajectory_index()
    having = [r for r, clips in index.items() if clip_id in clips]
    for r in having[:CHOSEN]:
        api.trajectories(r, clip_id)


def _measure(fn: Callable[[], object]) -> tuple[int, float]:
    with OpenCounter() as counter:
        start = time.perf_counter()
        fn()
        return counter.count, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, nargs="+", default=[10, 40])
    parser.add_argument("--clips", type=int, default=12)
    args = parser.parse_args()
    print(f"Trajectories page reads, {args.clips} clips per run, {CHOSEN} runs overlaid (SYNTHETIC arrays)")
    heads = ("runs", "old opens", "old s", "new opens", "new s", "page cold", "rerun")
    print(" ".join(f"{h:>10}" for h in heads))
    for n_runs in args.runs:
        home = Path(tempfile.mkdtemp(prefix="glimpse-bench-traj-")) / "home"
        home.mkdir()
        os.environ["GLIMPSE_HOME"] = str(home)
        os.environ.pop("GLIMPSE_DB_URL", None)
        sys.path.insert(0, str(ROOT))
        from streamlit.testing.v1 import AppTest

        from engine import api

        clip_id = _seed(home, n_runs, args.clips)
        old = _old_api()
        _old_rerun(old, clip_id)  # warm imports (sklearn) before timing either side
        old_opens, old_s = _measure(lambda: _old_rerun(old, clip_id))  # noqa: B023
        new_opens, new_s = _measure(lambda: _new_rerun(api, clip_id))  # noqa: B023
        at = AppTest.from_string("from workbench.pages import trajectories\ntrajectories.render()\n")
        at.session_state["clip_id"] = clip_id
        cold, _ = _measure(lambda: at.run(timeout=120))  # noqa: B023
        rerun, _ = _measure(lambda: at.run(timeout=120))  # noqa: B023
        assert not at.exception, at.exception
        print(
            f"{n_runs:>5} {old_opens:>10} {old_s:>7.2f} {new_opens:>10} {new_s:>7.2f} {cold:>10} {rerun:>6}"
        )


if __name__ == "__main__":
    main()
