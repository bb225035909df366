"""The local executor's worker pool: real spawned processes giving the in-process results in input order;
a cancel kills every worker (their PIDs are gone), a killed worker ends the map with a clear error."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from typing import Any

import pytest

from engine.config import Settings
from engine.errors import GlimpseError
from engine.jobs.executor_choice import get_executor
from engine.local_executor import LocalExecutor, worth_a_pool
from engine.progress import Cancelled


def square_and_pid(x: int) -> tuple[int, int]:
    """Top-level (picklable) task: the result, and which process computed it."""
    return x * x, os.getpid()


def refuse_seven(x: int) -> int:
    if x == 7:
        raise GlimpseError("seven is not allowed", where=f"item {x}")
    return x


def announce_and_block(job: tuple[Any, int]) -> int:
    """Says which worker took it, then blocks until someone kills the worker."""
    queue, item = job
    queue.put(os.getpid())
    threading.Event().wait()  # never set: only killing the process ends it
    return item


class Recorder:
    """A reporter whose cancel flag is a threading.Event the test sets."""

    def __init__(self) -> None:
        self.fractions: list[float] = []
        self.stop = threading.Event()

    def progress(self, fraction: float, message: str = "") -> None:
        self.fractions.append(fraction)

    def log(self, line: str) -> None:
        pass

    def cancelled(self) -> bool:
        return self.stop.is_set()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_the_pool_gives_the_serial_results_in_order_from_other_processes() -> None:
    items = [5, 3, 8, 1, 9, 2]
    recorder = Recorder()
    pooled = LocalExecutor(2).map(square_and_pid, items, reporter=recorder)
    serial = LocalExecutor(1).map(square_and_pid, items)
    assert [r[0] for r in pooled] == [r[0] for r in serial] == [25, 9, 64, 1, 81, 4]
    assert {r[1] for r in serial} == {os.getpid()}
    assert os.getpid() not in {r[1] for r in pooled}  # really ran in worker processes
    assert recorder.fractions == sorted(recorder.fractions) and recorder.fractions[-1] == 1.0
    with pytest.raises(GlimpseError, match="item 7: seven is not allowed"):  # a task's error, as raised
        LocalExecutor(2).map(refuse_seven, [1, 7, 9])
    assert LocalExecutor(2).map(square_and_pid, []) == []


def test_get_executor_sizes_the_pool_from_glimpse_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLIMPSE_WORKERS", "3")
    executor = get_executor(Settings(executor="local"))
    assert isinstance(executor, LocalExecutor) and executor.workers == 3
    monkeypatch.delenv("GLIMPSE_WORKERS")
    executor = get_executor(Settings(executor="local"))
    assert isinstance(executor, LocalExecutor) and executor.workers == len(os.sched_getaffinity(0))
    monkeypatch.setenv("GLIMPSE_WORKERS", "two")
    with pytest.raises(GlimpseError, match="GLIMPSE_WORKERS must be a whole number ≥ 1, not 'two'"):
        Settings()


def test_cancel_kills_every_worker() -> None:
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        started = manager.Queue()
        recorder = Recorder()
        pids: list[int] = []

        def cancel_once_both_run() -> None:
            pids.extend([started.get(timeout=120), started.get(timeout=120)])
            recorder.stop.set()

        watcher = threading.Thread(target=cancel_once_both_run)
        watcher.start()
        asked = time.perf_counter()
        with pytest.raises(Cancelled):
            LocalExecutor(2).map(announce_and_block, [(started, i) for i in range(4)], reporter=recorder)
        watcher.join()
        print(f"cancel: map returned {time.perf_counter() - asked:.1f} s after it started")
    assert len(set(pids)) == 2 and os.getpid() not in pids
    assert all(_gone(pid) for pid in pids)  # killed and reaped, not left blocking


def test_a_killed_worker_ends_the_map_with_a_clear_error() -> None:
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        started = manager.Queue()
        pids: list[int] = []

        def kill_the_first_worker() -> None:
            pids.append(started.get(timeout=120))
            os.kill(pids[0], signal.SIGKILL)

        killer = threading.Thread(target=kill_the_first_worker)
        killer.start()
        with pytest.raises(GlimpseError, match="a worker process died"):
            LocalExecutor(2).map(announce_and_block, [(started, i) for i in range(3)])
        killer.join()
        others = []
        while not started.empty():
            others.append(started.get())
    assert all(_gone(pid) for pid in pids + others)  # the other worker was stopped too


def test_a_pool_starts_only_for_work_well_above_its_start_up() -> None:
    assert not worth_a_pool(1.0, 2)  # a small dataset's frames: cheaper in this process
    assert worth_a_pool(600.0, 2)  # an ablation's minutes of training
    assert not worth_a_pool(600.0, 1)  # one worker is this process
