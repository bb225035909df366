"""Seeding, device choice and thread settings, shared by every training loop (cancellation is
``engine.progress.check_cancel``)."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

from engine.errors import GlimpseError
from engine.train.config import RuntimeConfig

# cuBLAS needs a fixed workspace for deterministic matmuls (read when CUDA initialises)
CUBLAS_DETERMINISTIC_WORKSPACE = ":4096:8"


def seed_everything(seed: int) -> None:
    """Same seed → same weights, batches and metrics on CPU."""
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)


def resolve_device(name: str | None = "auto") -> torch.device:
    """``auto`` → CUDA when available, else CPU; ``cpu``/``cuda``/``cuda:1`` force."""
    name = (name or "auto").lower()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise GlimpseError(
            f"device {name!r} requested but CUDA is not available", hint="use --device cpu or auto"
        )
    try:
        return torch.device(name)
    except RuntimeError as error:
        raise GlimpseError(f"unknown device {name!r}", hint="use auto, cpu or cuda") from error


def autocast(device: torch.device, enabled: bool) -> torch.autocast:
    """bf16 autocast on CPU or CUDA (a config flag: measured, not assumed, to help)."""
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=enabled)


@contextmanager
def single_thread(enabled: bool = True) -> Iterator[None]:
    """Run a small model (the stage-3 RNN) on one intra-op thread: its ops are too small to split, and on a
    busy machine extra OpenMP threads wait on each other (measured: a fold ran many times slower)."""
    before = torch.get_num_threads()
    if enabled:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@contextmanager
def applied_runtime(runtime: RuntimeConfig) -> Iterator[None]:
    """Run the block under the run's own numerics (threads, deterministic algorithms, dtype); the
    caller's settings come back afterwards, so an in-process caller (a test, a worker) is left as it was."""
    before = (
        torch.get_num_threads(),
        torch.are_deterministic_algorithms_enabled(),
        torch.is_deterministic_algorithms_warn_only_enabled(),
        torch.get_default_dtype(),
        torch.backends.cudnn.deterministic,
        torch.backends.cudnn.benchmark,
        torch.backends.cuda.matmul.allow_tf32,
        torch.backends.cudnn.allow_tf32,
    )
    if runtime.deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", CUBLAS_DETERMINISTIC_WORKSPACE)
    torch.set_num_threads(runtime.threads)
    # warn_only: an op without a deterministic kernel warns (in the job log) instead of killing the run
    torch.use_deterministic_algorithms(runtime.deterministic, warn_only=True)
    torch.set_default_dtype(getattr(torch, runtime.dtype))
    torch.backends.cudnn.deterministic = runtime.deterministic
    torch.backends.cudnn.benchmark = not runtime.deterministic
    torch.backends.cuda.matmul.allow_tf32 = not runtime.deterministic
    torch.backends.cudnn.allow_tf32 = not runtime.deterministic
    try:
        yield
    finally:
        threads, deterministic, warn_only, dtype, cudnn_det, bench, tf32_mm, tf32_cudnn = before
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic, warn_only=warn_only)
        torch.set_default_dtype(dtype)
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = cudnn_det, bench
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = tf32_mm, tf32_cudnn
