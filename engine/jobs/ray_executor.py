"""Ray tasks as an executor (``engine.local_executor.Executor``): each item one task, on whatever machine
of the cluster has room — what a job's folds run on when ``GLIMPSE_EXECUTOR=ray``
(``engine.jobs.executor_choice``), and the probe ``glimpse jobs check-executor`` maps over it.

Ray is an optional extra, imported only when a ``RayExecutor`` is made.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from engine.errors import GlimpseError
from engine.progress import NullReporter, Reporter, check_cancel

T = TypeVar("T")
R = TypeVar("R")


def _import_ray() -> Any:
    try:
        import ray  # an optional extra (glimpse[ray]): imported here, only when a RayExecutor is made
    except ImportError as error:
        raise GlimpseError(
            "GLIMPSE_EXECUTOR=ray but Ray is not installed",
            hint="pip install 'glimpse[ray]', or set GLIMPSE_EXECUTOR=local",
        ) from error
    return ray


class RayExecutor:
    """Each item is one Ray task; GPU-aware: a task asks for a GPU when the cluster has any.

    ``address=None`` joins ``RAY_ADDRESS`` (or the Ray this process already joined); with neither it
    starts a private Ray without dashboard — only tests and explicit callers do that: Ray's own gRPC
    ports cannot be bound to loopback (Ray resolves 127.0.0.1 to the machine's address and listens on
    all interfaces), so ``get_executor`` never does it for a job (docs/CLUSTER.md).
    """

    name = "ray"

    def __init__(
        self, address: str | None = None, num_cpus: int | None = None, gpus_per_task: float | None = None
    ) -> None:
        self.ray = _import_ray()
        self.address = address = address or os.environ.get("RAY_ADDRESS") or None
        self.gpus_per_task = gpus_per_task
        self.dashboard_url: str | None = None
        if not self.ray.is_initialized():
            kwargs: dict[str, Any] = {"ignore_reinit_error": True, "log_to_driver": True}
            if address:
                kwargs["address"] = address
            else:
                kwargs.update(num_cpus=num_cpus, include_dashboard=False)
            try:
                context = self.ray.init(**kwargs)
                self.dashboard_url = getattr(context, "dashboard_url", None) or None
            except ConnectionError as error:
                raise GlimpseError(
                    f"cannot reach the Ray cluster at {address!r}: {error}",
                    hint="check RAY_ADDRESS (ray://host:10001 or host:6379) and `ray status` there",
                ) from error

    def _task_options(self, resources: dict[str, Any] | None) -> dict[str, Any]:
        # Ray's default retries cover system failures only (a node or worker process dying), never an
        # exception the task raised; a fold is deterministic, so a retry gives the same result
        options: dict[str, Any] = {"num_cpus": 1}
        gpus = self.gpus_per_task
        if gpus is None:
            gpus = 1 if self.ray.cluster_resources().get("GPU", 0) >= 1 else 0
        options["num_gpus"] = gpus
        options.update(resources or {})
        return options

    def map(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        resources: dict[str, Any] | None = None,
        reporter: Reporter | None = None,
    ) -> list[R]:
        ray = self.ray
        reporter = reporter or NullReporter()
        if not items:
            return []
        # fn may be a partial or carry large prepared data: put it in the object store once, and
        # ship only its reference with each task
        remote = ray.remote(_apply).options(**self._task_options(resources))
        fn_ref = ray.put(fn)
        refs = [remote.remote(fn_ref, item) for item in items]
        pending, done = list(refs), 0
        try:
            while pending:
                ready, pending = ray.wait(pending, num_returns=1, timeout=1.0)
                check_cancel(reporter)
                for ref in ready:
                    ray.get(ref)  # raise the first failure as soon as it happens
                    done += 1
                    reporter.progress(done / len(refs), f"Ray task {done}/{len(refs)} done")
            return list(ray.get(refs))
        except ray.exceptions.RayTaskError as error:
            _cancel(ray, pending)
            cause = getattr(error, "cause", None)
            if isinstance(cause, BaseException):
                raise cause from None
            raise GlimpseError(f"a Ray task failed: {error}") from None
        except BaseException:
            _cancel(ray, pending)
            raise


def _apply(fn: Callable[[T], R], item: T) -> R:
    """The one remote function: Ray resolves ``fn`` from the object store, then it runs on ``item``."""
    return fn(item)


def _cancel(ray: Any, refs: list[Any]) -> None:
    for ref in refs:
        # broad on purpose: this runs while another error propagates (a failed task, a cancel), which a
        # failure to cancel (Ray gone) must not replace; a task already done is no error
        with contextlib.suppress(Exception):
            ray.cancel(ref)  # not force: killing worker processes would fail later tasks sent to them


def probe(item: int) -> dict[str, Any]:
    """A task that says where it ran (host, pid, GPUs): ``glimpse jobs check-executor`` maps it."""
    gpus = os.environ.get("CUDA_VISIBLE_DEVICES", "")
    return {"item": item, "host": socket.gethostname(), "pid": os.getpid(), "gpus": gpus}
