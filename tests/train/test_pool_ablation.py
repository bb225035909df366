"""An ablation on the local worker pool: byte-identical predictions to the sequential order; progress names
each variant and seed in order; a cancel stops every worker and closes every run as cancelled; a killed
worker ends it with a clear error and no run left running or half-written."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import signal
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.schema import Prediction, Run
from db.session import session_factory
from engine.errors import GlimpseError
from engine.local_executor import LocalExecutor
from engine.progress import Cancelled
from engine.train.ablation import ablation_arms, run_ablation, run_variant, worker_groups
from engine.train.config import AblationConfig

VARIANTS = ("fir", "full", "lbptop")
SEEDS = (0, 1)


class Watcher:
    """A reporter that keeps messages and logs; ``started`` is set once a task runs on a worker process;
    its cancel flag is an Event the test sets."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.logs: list[str] = []
        self.started = threading.Event()
        self.stop = threading.Event()
        self.fractions: list[float] = []
        self.launched = 0

    def progress(self, fraction: float, message: str = "") -> None:
        self.fractions.append(fraction)
        self.messages.append(message)
        self.launched += message.endswith("started in a worker")
        # the first task holds FIR and FULL of seed 0 (two runs); the second task (its first run: the
        # third launch) is drawn only once the first was submitted, which started the worker processes
        if self.launched == 3:
            self.started.set()

    def log(self, line: str) -> None:
        self.logs.append(line)

    def cancelled(self) -> bool:
        return self.stop.is_set()


def _children(url: str, parent: str | None = None) -> dict[tuple[str, int], Run]:
    with session_factory(url)() as session:
        query = select(Run).where(Run.kind == "loso")
        if parent:
            query = query.where(Run.parent_id == parent)
        return {(r.variant, r.seed): r for r in session.scalars(query)}


def _predictions_csv(home: Path, run_id: str) -> bytes:
    return (home / "runs" / run_id / "predictions.csv").read_bytes()


def test_pool_and_sequential_write_byte_identical_predictions(tiny_catalog: str, home: Path) -> None:
    cfg = dataclasses.replace(AblationConfig.tiny(), variants=VARIANTS, seeds=SEEDS)
    serial_parent, serial = run_ablation(tiny_catalog, cfg, executor=LocalExecutor(1))
    watcher = Watcher()
    pool_parent, pooled = run_ablation(tiny_catalog, cfg, watcher, executor=LocalExecutor(2))

    serial_runs, pool_runs = _children(tiny_catalog, serial_parent), _children(tiny_catalog, pool_parent)
    assert set(serial_runs) == set(pool_runs) == {(v, s) for v in VARIANTS for s in SEEDS}
    for key, run in serial_runs.items():
        assert pool_runs[key].status == run.status == "succeeded"
        one, two = _predictions_csv(home, run.id), _predictions_csv(home, pool_runs[key].id)
        assert one.count(b"\n") == 13 and one == two, key  # header + 12 clips, byte for byte

    def numbers(comparison: dict) -> str:  # everything but the run ids
        rows = {v: {k: x for k, x in row.items() if k != "runs"} for v, row in comparison["variants"].items()}
        return json.dumps(rows, sort_keys=True)

    assert numbers(serial) == numbers(pooled) and "uf1_mean" in numbers(pooled)

    # the pool size is recorded with the environment, never in the config
    record = json.loads((home / "runs" / pool_runs[("full", 1)].id / "config.json").read_text())
    assert record["environment"]["workers"] == 2 and record["environment"]["executor"] == "local"
    assert "workers" not in json.dumps(record["config"])
    serial_record = json.loads((home / "runs" / serial_runs[("full", 1)].id / "config.json").read_text())
    assert serial_record["environment"]["workers"] == 1
    assert serial_record["config"] == {**record["config"]}

    # progress: monotone; one line per run naming variant and seed, counted as runs finish; the pool
    # starts the longest tasks first: FIR with FULL of the same seed (FULL reuses FIR's trained stage),
    # then the short LBP-TOP runs
    assert watcher.fractions == sorted(watcher.fractions) and watcher.fractions[-1] == 1.0
    order = ["fir seed 0", "full seed 0", "fir seed 1", "full seed 1", "lbptop seed 0", "lbptop seed 1"]
    started = [m.split(" · ")[1].split(":")[0] for m in watcher.messages if m.endswith("started in a worker")]
    assert started == order
    assert sorted(line.split(":")[0] for line in watcher.logs) == sorted(order)
    reused = {line.split(":")[0] for line in watcher.logs if "encoder stage(s) fir reused" in line}
    assert reused == {"full seed 0", "full seed 1"}
    done = [m for m in watcher.messages if " done (" in m]
    total = len(order)  # "run 3/6 · full seed 0": the count of finished runs, then the run
    assert [m.split(" · ")[0] for m in done] == [f"run {i}/{total}" for i in range(1, total + 1)]
    assert sorted(m.split(" · ")[1].split(" done")[0] for m in done) == sorted(order)
    assert all("worker peak memory" in m for m in done)


def test_pool_tasks_start_longest_first_with_full_after_fir_of_its_seed() -> None:
    six = ("fir", "er", "mixt", "full", "lbptop", "flowcnn")
    cfg = dataclasses.replace(AblationConfig.tiny(), variants=six, seeds=(0, 1))
    groups = worker_groups(ablation_arms(cfg))
    assert [tuple(f"{arm.variant}{arm.seed}" for arm in group) for group in groups] == [
        ("fir0", "full0"),
        ("fir1", "full1"),
        ("flowcnn0",),
        ("flowcnn1",),
        ("mixt0",),
        ("mixt1",),
        ("er0",),
        ("er1",),
        ("lbptop0",),
        ("lbptop1",),
    ]
    assert sorted(arm.index for group in groups for arm in group) == list(range(12))
    # FULL without FIR runs alone; a FIR of another label source is another training
    alone = dataclasses.replace(cfg, variants=("full", "er"), seeds=(0,))
    assert [len(group) for group in worker_groups(ablation_arms(alone))] == [1, 1]
    two_sources = dataclasses.replace(
        cfg, variants=("fir", "full"), seeds=(0,), labels=("source", "consensus")
    )
    paired = [
        {(arm.variant, arm.labels) for arm in group} for group in worker_groups(ablation_arms(two_sources))
    ]
    assert paired == [{("fir", "source"), ("full", "source")}, {("fir", "consensus"), ("full", "consensus")}]


def test_folds_of_one_run_on_the_pool_match_the_serial_run(tiny_catalog: str, home: Path) -> None:
    cfg = AblationConfig.tiny()
    serial = run_variant(tiny_catalog, "full", 2, cfg, executor=LocalExecutor(1))
    pooled = run_variant(tiny_catalog, "full", 2, cfg, executor=LocalExecutor(2))
    assert _predictions_csv(home, serial.run_id) == _predictions_csv(home, pooled.run_id)
    assert pooled.fold_uf1 == serial.fold_uf1 and len(pooled.fold_uf1) == 4


def _live_workers() -> list[int]:
    return [p.pid for p in multiprocessing.active_children() if p.pid is not None]


def _gone(pid: int) -> bool:
    """The process has exited and been reaped (Linux: no /proc entry, not even a zombie's)."""
    return not Path(f"/proc/{pid}").exists()


def _no_run_left_open(url: str, parent: str | None = None) -> dict[tuple[str, int], str]:
    runs = _children(url, parent)
    with session_factory(url)() as session:
        for run in runs.values():
            if run.status != "succeeded":  # nothing half-written: no predictions for an unfinished run
                count = session.scalar(select(func.count()).where(Prediction.run_id == run.id))
                assert count == 0, run.id
    return {key: run.status for key, run in runs.items()}


def test_cancel_stops_every_worker_and_closes_the_runs(tiny_catalog: str) -> None:
    cfg = dataclasses.replace(AblationConfig.tiny(), variants=VARIANTS, seeds=SEEDS)
    watcher = Watcher()
    pids: list[int] = []

    def cancel_once_a_task_runs() -> None:
        watcher.started.wait(timeout=300)
        pids.extend(_live_workers())
        watcher.stop.set()

    thread = threading.Thread(target=cancel_once_a_task_runs)
    thread.start()
    with pytest.raises(Cancelled):
        run_ablation(tiny_catalog, cfg, watcher, executor=LocalExecutor(2))
    thread.join()
    assert pids and all(_gone(pid) for pid in pids)
    statuses = _no_run_left_open(tiny_catalog)
    assert statuses and set(statuses.values()) <= {"succeeded", "cancelled"}
    assert "cancelled" in statuses.values()
    with session_factory(tiny_catalog)() as session:
        assert session.scalar(select(Run.status).where(Run.kind == "ablation")) == "cancelled"


def test_a_killed_worker_fails_the_ablation_cleanly(tiny_catalog: str) -> None:
    cfg = dataclasses.replace(AblationConfig.tiny(), variants=VARIANTS, seeds=SEEDS)
    watcher = Watcher()
    killed: list[int] = []

    def kill_a_worker_once_a_task_runs() -> None:
        watcher.started.wait(timeout=300)
        killed.append(_live_workers()[0])
        os.kill(killed[0], signal.SIGKILL)

    thread = threading.Thread(target=kill_a_worker_once_a_task_runs)
    thread.start()
    with pytest.raises(GlimpseError, match="a worker process died"):
        run_ablation(tiny_catalog, cfg, watcher, executor=LocalExecutor(2))
    thread.join()
    assert killed and _gone(killed[0]) and not _live_workers()
    statuses = _no_run_left_open(tiny_catalog)
    assert set(statuses.values()) <= {"succeeded", "failed"} and "failed" in statuses.values()
    with session_factory(tiny_catalog)() as session:
        assert session.scalar(select(Run.status).where(Run.kind == "ablation")) == "failed"
