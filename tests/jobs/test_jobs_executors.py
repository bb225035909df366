"""Executors: local (serial, ordered) and a real local Ray giving the same results in the same order."""

from __future__ import annotations

import functools
import os
import sys

import numpy as np
import pytest

from engine.config import Settings
from engine.errors import GlimpseError
from engine.jobs.executor_choice import get_executor
from engine.jobs.ray_executor import RayExecutor, probe
from engine.local_executor import LocalExecutor
from engine.progress import Cancelled


def square_plus_pid(x: int) -> tuple[int, int]:
    """Top-level (picklable) task: the result, and which process computed it."""
    return x * x, os.getpid()


def add(base: np.ndarray, x: int) -> np.ndarray:
    return base + x


def refuse_seven(x: int) -> int:
    if x == 7:
        raise GlimpseError("seven is not allowed", where=f"item {x}")
    return x


class Recorder:
    def __init__(self, cancel_after: int | None = None) -> None:
        self.fractions: list[float] = []
        self.cancel_after = cancel_after

    def progress(self, fraction: float, message: str = "") -> None:
        self.fractions.append(fraction)

    def log(self, line: str) -> None:
        pass

    def cancelled(self) -> bool:
        return self.cancel_after is not None and len(self.fractions) >= self.cancel_after


def test_local_executor_is_ordered_and_reports_progress() -> None:
    recorder = Recorder()
    results = LocalExecutor().map(square_plus_pid, [3, 1, 2], reporter=recorder)
    assert [r[0] for r in results] == [9, 1, 4]
    assert {r[1] for r in results} == {os.getpid()}  # in-process
    assert recorder.fractions == pytest.approx([1 / 3, 2 / 3, 1.0])


def test_local_executor_stops_on_cancel_and_raises_task_errors() -> None:
    with pytest.raises(Cancelled):
        LocalExecutor().map(square_plus_pid, [1, 2, 3, 4], reporter=Recorder(cancel_after=2))
    with pytest.raises(GlimpseError, match="item 7: seven is not allowed"):
        LocalExecutor().map(refuse_seven, [1, 7, 9])


def test_ray_is_an_optional_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    with pytest.raises(GlimpseError, match=r"Ray is not installed.*pip install 'glimpse\[ray\]'"):
        get_executor(Settings(executor="ray", ray_address="127.0.0.1:6379"))


def test_get_executor_follows_the_setting() -> None:
    assert isinstance(get_executor(Settings(executor="local")), LocalExecutor)
    with pytest.raises(GlimpseError, match="unknown GLIMPSE_EXECUTOR 'dask'"):
        get_executor(Settings(executor="dask"))


@pytest.mark.ray
def test_ray_executor_matches_local_executor() -> None:
    ray = pytest.importorskip("ray")
    # test modules are not importable inside Ray's workers: ship this module's functions by value
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        executor = RayExecutor(num_cpus=2)  # an explicit private Ray (a job without RAY_ADDRESS runs locally)
        assert ray.is_initialized() and ray.cluster_resources()["CPU"] == 2
        assert executor.dashboard_url is None  # a local start runs no dashboard
        assert isinstance(
            get_executor(Settings(executor="ray", ray_address=None)), RayExecutor
        )  # it joins the Ray this process started
        items = [5, 3, 8, 1, 9, 2]
        recorder = Recorder()
        remote = executor.map(square_plus_pid, items, reporter=recorder)
        local = LocalExecutor().map(square_plus_pid, items)
        assert [r[0] for r in remote] == [r[0] for r in local] == [25, 9, 64, 1, 81, 4]
        assert os.getpid() not in {r[1] for r in remote}  # really ran in Ray worker processes
        assert recorder.fractions[-1] == 1.0 and len(recorder.fractions) == len(items)
        # a task's GlimpseError comes back with its own message
        with pytest.raises(GlimpseError, match="item 7: seven is not allowed"):
            executor.map(refuse_seven, [1, 7, 9])
        assert executor.map(square_plus_pid, []) == []
        # callers pass partials carrying prepared data (LOSO folds): same results as local
        offset = functools.partial(add, np.arange(3))
        assert [r.tolist() for r in executor.map(offset, [10, 20])] == [[10, 11, 12], [20, 21, 22]]
        # the cluster check users run: every probe answers, from Ray's processes, on this host
        answers = executor.map(probe, [0, 1])
        assert [a["item"] for a in answers] == [0, 1] and all(a["pid"] != os.getpid() for a in answers)
    finally:
        ray.shutdown()
