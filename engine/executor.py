"""Where the independent pieces of a job (LOSO folds) run: the protocol training codes against, and the
in-process implementation it uses when nobody passes another.

Training takes an ``executor`` argument; the job layer (``engine.jobs.executors.get_executor``) picks
the one ``GLIMPSE_EXECUTOR`` names (local, or Ray tasks) and passes it in, so training never imports the
job system. ``fn`` is a top-level (picklable) function of plain data and results come back in input
order, so results do not depend on the executor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from engine.progress import NullReporter, Reporter, check_cancel

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    name: str

    def map(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        resources: dict[str, Any] | None = None,
        reporter: Reporter | None = None,
    ) -> list[R]:
        """``[fn(item) for item in items]``, possibly in parallel; results in input order. Raises
        ``engine.progress.Cancelled`` when the reporter says stop between tasks."""
        ...


class LocalExecutor:
    """In-process and serial: deterministic, no start-up cost, what a laptop (and the tests) use."""

    name = "local"

    def map(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        resources: dict[str, Any] | None = None,
        reporter: Reporter | None = None,
    ) -> list[R]:
        reporter = reporter or NullReporter()
        results: list[R] = []
        for index, item in enumerate(items):
            check_cancel(reporter)
            results.append(fn(item))
            reporter.progress((index + 1) / max(1, len(items)), f"task {index + 1}/{len(items)} done")
        return results
