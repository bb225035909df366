"""Two pool workers making the same cache entry at once (the same training-data or feature file of two
runs of an ablation): each writes a temp file of its own and renames it over the entry, so neither trips
over the other's temp file (with one shared temp name the second rename raised FileNotFoundError and
failed the ablation), and what is left is one whole file, no temp files."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import numpy as np

from engine.preprocess.cache import save_npz

WRITES = 40


def _write_many(path: str, start: mp.synchronize.Barrier) -> None:
    frames = np.arange(200_000, dtype=np.int64).reshape(400, 500)
    start.wait()
    for _ in range(WRITES):
        save_npz(Path(path), frames=frames, numbers=np.arange(400))


def test_two_processes_write_the_same_entry_whole(tmp_path: Path) -> None:
    entry = tmp_path / "train-data" / "seq-same.npz"
    context = mp.get_context("spawn")
    start = context.Barrier(2)
    workers = [context.Process(target=_write_many, args=(str(entry), start)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert [w.exitcode for w in workers] == [0, 0]  # neither writer raised
    with np.load(entry) as data:
        assert data["frames"].shape == (400, 500) and int(data["frames"][-1, -1]) == 199_999
        assert np.array_equal(data["numbers"], np.arange(400))
    assert [p.name for p in entry.parent.iterdir()] == ["seq-same.npz"]  # no temp file left behind
