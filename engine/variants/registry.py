"""``VARIANTS``: every method an ablation can compare, by name. Filled by ``@register_variant`` on a
variant's ``prepare`` function (``engine.train.encoder_variants``, ``engine.baselines.variants``), read
through ``get_variant``; complete once ``engine.train`` is imported."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from engine.registry import Registry
from engine.variants.contract import Prepare, RunFold

DATASET_ROLES = ("me", "faces", "macro")


@dataclass(frozen=True)
class Variant:
    name: str
    prepare: Prepare
    run_fold: RunFold
    description: str = ""
    datasets: tuple[str, ...] = ("me",)  # dataset roles it reads (DATASET_ROLES)
    stages: tuple[str, ...] = ()  # encoder stages it trains, in order (engine.train.stages.STAGE_NEEDS)
    audit: bool = False  # a deliberately FLAWED protocol, run only to measure its inflation (never a result)
    # seconds one run of the default config takes on one core (measured by benchmarks/bench_pool.py): the
    # local pool starts the longest runs first so no core idles at the end; it never changes a number
    cost_s: float = 10.0


VARIANTS: Registry[Variant] = Registry("variant")


def register_variant(
    name: str,
    *,
    run_fold: RunFold,
    description: str = "",
    datasets: tuple[str, ...] = ("me",),
    stages: tuple[str, ...] = (),
    audit: bool = False,
    cost_s: float = 10.0,
) -> Callable[[Prepare], Prepare]:
    """Register the decorated ``prepare`` function, with ``run_fold``, as variant ``name``."""
    unknown = sorted(set(datasets) - set(DATASET_ROLES))
    if unknown:
        raise ValueError(f"variant {name!r}: unknown dataset role(s) {unknown}; use {DATASET_ROLES}")

    def decorate(prepare: Prepare) -> Prepare:
        VARIANTS.add(
            name, Variant(name, prepare, run_fold, description, tuple(datasets), tuple(stages), audit, cost_s)
        )
        return prepare

    return decorate


def get_variant(name: str) -> Variant:
    return VARIANTS.get_or_fail(name)


def variant_names() -> list[str]:
    """Every registered variant, in registration order (encoder variants first, then baselines)."""
    return VARIANTS.names()


def encoder_variant_names() -> tuple[str, ...]:
    """The variants that train an encoder (the paper's FIR/ER/MIXT/FULL): what an ablation runs by
    default."""
    return tuple(v.name for v in VARIANTS.values() if v.stages)
