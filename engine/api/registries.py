"""What the engine can do, by name, read from its registries: the variants an ablation compares and the
dataset formats ingest reads. The pages list these instead of keeping their own lists."""

from __future__ import annotations

from dataclasses import dataclass

import engine.train  # noqa: F401 (importing the training package registers every variant)
from engine.ingest import READERS
from engine.variants.registry import VARIANTS
from engine.variants.selection import AUDIT_BADGE

__all__ = ["AUDIT_BADGE", "VariantInfo", "dataset_formats", "variants"]


@dataclass(frozen=True)
class VariantInfo:
    """One registered variant: what it reads (dataset roles) and which encoder stages it trains."""

    name: str
    description: str
    datasets: tuple[str, ...]
    stages: tuple[str, ...]
    audit: bool = False  # a deliberately FLAWED protocol (leakage audit): label it, never report it

    @property
    def trains_encoder(self) -> bool:
        """FIR/ER/MIXT/FULL train an encoder; the baselines (LBP-TOP, flow CNN) do not."""
        return bool(self.stages)


def variants() -> list[VariantInfo]:
    """Every registered variant, in registration order (encoder variants, then baselines)."""
    return [VariantInfo(v.name, v.description, v.datasets, v.stages, v.audit) for v in VARIANTS.values()]


def dataset_formats() -> list[str]:
    """The formats ``ingest`` reads (its reader registry)."""
    return READERS.names()
