"""Where the independent pieces of a job (LOSO folds, an ablation's variant × seed runs, a dataset's clips)
run: the ``Executor`` protocol training codes against, and its local implementation — in this process, or
in a pool of worker processes on this machine. The other implementation, Ray tasks, is optional and lives
with the job system (``engine.jobs.ray_executor``).

Training takes an ``executor`` argument; the job layer (``engine.jobs.executor_choice.get_executor``)
picks the one ``GLIMPSE_EXECUTOR`` names and passes it in, so training never imports the job system.
``fn`` is a top-level (picklable) function of plain data and results come back in input order, so results
do not depend on the executor or on how many workers it has.

Why a process pool (``concurrent.futures.ProcessPoolExecutor``) and not threads: training is Python and
small torch ops, which hold the GIL between kernels, so threads would not use a second core. Why the
``spawn`` start method: a forked child of a process whose torch/OpenMP thread pools already run can
deadlock (fork copies locks held by threads that do not exist in the child); ``spawn`` starts a fresh
interpreter. ``concurrent.futures`` rather than ``multiprocessing.Pool`` because a worker that dies (out
of memory, killed) breaks the pool with ``BrokenProcessPool`` at once, where ``Pool`` would wait forever
for the lost task.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
from collections.abc import Callable, Generator, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from typing import Any, Protocol, TypeVar

import torch

from engine.errors import GlimpseError
from engine.progress import NullReporter, Reporter, check_cancel

T = TypeVar("T")
R = TypeVar("R")

# how often a parent waiting on its workers looks at the reporter's cancel flag (cancel must stop
# every worker within 2 s; a job reporter caches its flag for 1 s)
POLL_S = 0.2
START_METHOD = "spawn"
# a spawned worker starts a fresh interpreter and imports torch and the engine: measured 4.5–5.5 CPU-s
# each on the shared 2-core machine (benchmarks/bench_pool_data.py)
WORKER_START_CPU_S = 5.0


def worth_a_pool(work_cpu_s: float, workers: int) -> bool:
    """Whether ``work_cpu_s`` of divisible work is worth starting ``workers`` processes for: only when
    the work is well above what starting them costs (a training run is; a small dataset's frames are not)."""
    return workers > 1 and work_cpu_s > 2 * workers * WORKER_START_CPU_S


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
        ``engine.progress.Cancelled`` when the reporter says stop between tasks. ``resources`` says what
        one task needs (``num_cpus``: the threads it runs on, the run's ``runtime.threads``)."""
        ...


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, which a container or ``taskset`` narrows)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _start_worker(threads: int) -> None:
    """Runs once in each worker process: pinned to ``threads`` intra-op threads (the run's
    ``runtime.threads``; every task applies its run's runtime again), and deaf to Ctrl-C, which the
    parent handles by stopping its workers itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    torch.set_num_threads(threads)


def peak_rss_mib() -> float:
    """This process's peak resident memory in MiB (Linux reports ``ru_maxrss`` in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _workers_of(pool: ProcessPoolExecutor) -> list[multiprocessing.process.BaseProcess]:
    """The pool's worker processes. Read from its process table: Python 3.11 has no public call that
    stops a *running* task (``shutdown`` only drops queued ones; 3.14 adds ``kill_workers``)."""
    return list((getattr(pool, "_processes", None) or {}).values())


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Kill every worker process of ``pool`` now and reap it."""
    processes = _workers_of(pool)
    for process in processes:
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=True, cancel_futures=True)
    for process in processes:
        process.join()


def pool_imap(
    fn: Callable[[T], R],
    items: Iterable[T],
    workers: int,
    threads: int = 1,
    reporter: Reporter | None = None,
    total: int | None = None,
) -> Generator[R, None, None]:
    """``fn`` over ``items`` in ``workers`` spawned processes; results yielded in input order.

    Items are drawn from ``items`` only when a worker is free, so a caller's generator may do its
    bookkeeping (create the run a task computes) just before the task starts. Between results the
    parent looks at ``reporter``: on cancel — or when the consumer stops early or raises — every worker
    is killed before this returns. A worker that dies ends it with a GlimpseError. With ``total``,
    progress is reported as each task finishes (in the order they finish: fraction and count only).
    """
    reporter = reporter or NullReporter()
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(START_METHOD),
        initializer=_start_worker,
        initargs=(threads,),
    )
    source = iter(items)
    futures: dict[int, Future[R]] = {}
    submitted = yielded = finished = 0
    exhausted = False
    clean = False
    try:
        while True:
            while not exhausted and sum(not f.done() for f in futures.values()) < workers:
                try:
                    item = next(source)
                except StopIteration:
                    exhausted = True
                    break
                futures[submitted] = pool.submit(fn, item)
                submitted += 1
            while yielded in futures and futures[yielded].done():
                result = futures.pop(yielded).result()  # a task's own error is raised as it is
                yielded += 1
                yield result
            if exhausted and not futures:
                clean = True
                return
            running = [f for f in futures.values() if not f.done()]
            if running:
                wait(running, timeout=POLL_S, return_when=FIRST_COMPLETED)
            now_finished = yielded + sum(f.done() for f in futures.values())
            if total and now_finished > finished:
                finished = now_finished
                reporter.progress(finished / total, f"task {finished}/{total} done")
            check_cancel(reporter)
            # the pool notices a dead worker itself, except one spawned while its manager thread was
            # already waiting (CPython 3.11 race: it then waits on the other workers' results)
            if any(p.exitcode is not None for p in _workers_of(pool)):
                raise BrokenProcessPool
    except BrokenProcessPool:
        raise GlimpseError(
            "a worker process died (killed, or out of memory) before its task finished",
            hint="see the system log for the killed process; set GLIMPSE_WORKERS lower to use less memory",
        ) from None
    finally:
        if clean:
            pool.shutdown(wait=True)
        else:
            _stop_workers(pool)


class LocalExecutor:
    """This machine: in-process and serial with one worker (no start-up cost; what the tests use), else a
    pool of ``workers`` spawned processes. Same results either way, in the same order."""

    name = "local"

    def __init__(self, workers: int = 1) -> None:
        if workers < 1:
            raise GlimpseError(
                f"a pool needs at least 1 worker, not {workers}", hint="set GLIMPSE_WORKERS ≥ 1"
            )
        self.workers = workers

    def imap(
        self,
        fn: Callable[[T], R],
        items: Iterable[T],
        threads: int = 1,
        reporter: Reporter | None = None,
        total: int | None = None,
    ) -> Generator[R, None, None]:
        """Results in input order as they come; items drawn lazily (see ``pool_imap``). Close it (or use
        ``contextlib.closing``) when stopping early, so the workers stop at once."""
        if self.workers == 1:
            return _serial_imap(fn, items, reporter, total)
        return pool_imap(fn, items, self.workers, threads, reporter, total)

    def map(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        resources: dict[str, Any] | None = None,
        reporter: Reporter | None = None,
    ) -> list[R]:
        threads = int((resources or {}).get("num_cpus", 1))
        runner = self if len(items) > 1 else LocalExecutor(1)  # one task: no pool to start
        with closing(runner.imap(fn, items, threads, reporter, len(items))) as results:
            return list(results)


def _serial_imap(
    fn: Callable[[T], R], items: Iterable[T], reporter: Reporter | None, total: int | None
) -> Generator[R, None, None]:
    reporter = reporter or NullReporter()
    for index, item in enumerate(items):
        check_cancel(reporter)
        result = fn(item)
        if total:
            reporter.progress((index + 1) / total, f"task {index + 1}/{total} done")
        yield result
