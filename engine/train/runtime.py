"""Seeding, device choice and thread settings, shared by every training loop (cancellation is
``engine.progress.check_cancel``)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

from engine.errors import GlimpseError


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
