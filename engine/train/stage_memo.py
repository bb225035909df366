"""Encoder stages already trained in this process, kept so that a variant whose stages extend another's
(FULL is FIR then ER) starts after the shared stages instead of training them a second time.

Why reuse cannot change a number: what an encoder is after stages ``s1 … sk`` is a function of those
stages, the encoder config, the seed, the device, the process's numerics (threads, deterministic
algorithms, default dtype) and the images those stages train on — every one of them is in the key — and
the global random state after them (the next stage's head and the encoder's dropout draw from it) is
kept with the weights and put back. ``tests/train/test_stage_memo.py`` checks FULL after FIR against
FULL alone, bit for bit.

Scoped and small: only inside ``sharing_trained_stages()`` — one ablation (sequential), or one pool
worker's task holding FIR and FULL of one seed (``engine.train.ablation``) — and emptied when that ends.
A single run, ``glimpse reproduce`` and a repeated run always train every stage; nothing is written to
disk, so nothing can go stale between runs or machines.
"""

from __future__ import annotations

import hashlib
import random
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from engine.progress import Reporter
from engine.train.config import EncoderStageConfig

# encoders kept (one per stage prefix): the sequential ablation trains FIR, ER and MIXT of a seed
# before FULL reuses FIR's, so four entries cover it; an enc_small state is under 1 MB
CAPACITY = 4


@dataclass(frozen=True)
class TrainedStages:
    """An encoder after some stages: its weights, the random state after them, each stage's losses."""

    state: dict[str, torch.Tensor]
    random_state: tuple[Any, ...]
    losses: tuple[dict[str, float], ...]


def fingerprint(images: np.ndarray | tuple[np.ndarray, ...] | None) -> str | None:
    """A digest of the image arrays (and their labels) a stage trains on."""
    if images is None:
        return None
    digest = hashlib.blake2b(digest_size=16)
    for array in images if isinstance(images, tuple) else (images,):
        digest.update(f"{array.dtype}{array.shape}".encode())
        digest.update(np.ascontiguousarray(array).data)
    return digest.hexdigest()


def random_state(device: torch.device) -> tuple[Any, ...]:
    """Every global generator a stage draws from (Python, NumPy, torch CPU, and CUDA when used)."""
    cuda = torch.cuda.get_rng_state_all() if device.type == "cuda" else None
    return random.getstate(), np.random.get_state(), torch.get_rng_state(), cuda


def restore_random_state(saved: tuple[Any, ...]) -> None:
    python, numpy_state, torch_state, cuda = saved
    random.setstate(python)
    np.random.set_state(numpy_state)
    torch.set_rng_state(torch_state)
    if cuda is not None:
        torch.cuda.set_rng_state_all(cuda)


@dataclass(frozen=True)
class StageInputs:
    """What decides an encoder after some of its stages, besides those stages: ``images`` holds the
    fingerprint of each stage's training images, in stage order."""

    cfg: EncoderStageConfig
    seed: int
    device: torch.device
    images: tuple[str | None, ...]

    def key(self, stages: Sequence[str]) -> tuple[Any, ...]:
        numerics = (
            torch.get_num_threads(),
            torch.are_deterministic_algorithms_enabled(),
            torch.get_default_dtype(),
        )
        images = self.images[: len(stages)]
        return (tuple(stages), self.cfg, self.seed, str(self.device), numerics, images)


class StageMemo:
    """The last ``capacity`` trained stage prefixes, least recently used dropped first; keeps and gives
    nothing unless ``active`` (see ``sharing_trained_stages``)."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self.active = False
        self._entries: OrderedDict[tuple[Any, ...], TrainedStages] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> TrainedStages | None:
        if not self.active:
            return None
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: tuple[Any, ...], trained: TrainedStages) -> None:
        if not self.active:
            return
        self._entries[key] = trained
        self._entries.move_to_end(key)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


TRAINED_STAGES = StageMemo()


@contextmanager
def sharing_trained_stages() -> Iterator[None]:
    """Within the block, encoder trainings of this process reuse each other's shared first stages; the
    kept encoders are dropped when the outermost block ends."""
    outermost = not TRAINED_STAGES.active
    TRAINED_STAGES.active = True
    try:
        yield
    finally:
        if outermost:
            TRAINED_STAGES.active = False
            TRAINED_STAGES.clear()


def reuse_trained_prefix(
    stages: Sequence[str], inputs: StageInputs, encoder: torch.nn.Module, reporter: Reporter
) -> tuple[int, list[dict[str, float]]]:
    """Load the longest proper prefix of ``stages`` already trained in this ablation into ``encoder``
    and put back the random state after it; returns how many stages it covers and their losses."""
    for done in range(len(stages) - 1, 0, -1):
        trained = TRAINED_STAGES.get(inputs.key(stages[:done]))
        if trained is None:
            continue
        encoder.load_state_dict(trained.state)
        restore_random_state(trained.random_state)
        shown = " → ".join(stages[:done])
        reporter.progress(done / len(stages), f"{shown}: reused")
        reporter.log(f"{shown}: reused, trained earlier in this ablation (same seed, config and images)")
        return done, list(trained.losses)
    return 0, []


def keep_trained_prefix(
    stages: Sequence[str], inputs: StageInputs, encoder: torch.nn.Module, losses: Sequence[dict[str, float]]
) -> None:
    """Keep the encoder as it is after ``stages`` (a copy), with the random state now, while sharing."""
    if not TRAINED_STAGES.active:
        return
    state = {k: v.detach().clone() for k, v in encoder.state_dict().items()}
    kept = TrainedStages(state, random_state(inputs.device), tuple(dict(x) for x in losses))
    TRAINED_STAGES.put(inputs.key(stages), kept)
