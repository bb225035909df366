"""Which variants are leakage audits: deliberately FLAWED protocols run only to measure their inflation.

Pages and reports label these runs AUDIT and never present their numbers as results. The flag lives on
the registered variant (``Variant.audit``); the modules that register variants are imported here so the
answer does not depend on what happened to be imported before.
"""

from __future__ import annotations

from engine.baselines import variants as _baselines  # noqa: F401  (registers lbptop/flowcnn/flowcnn_oracle)
from engine.train import encoder_variants as _encoders  # noqa: F401  (registers fir/er/mixt/full)
from engine.train.config import FLAWED_LABEL
from engine.train.variants import VARIANTS

AUDIT_BADGE = "AUDIT — FLAWED"


def audit_variants() -> set[str]:
    """Names of the registered variants whose epoch selection is the FLAWED test-subject oracle."""
    return {name for name, variant in VARIANTS.items() if variant.audit}


def is_audit(variant: str | None, config: dict | None = None) -> bool:
    """A run is an audit when its variant is one, or its record says its selection is the flawed one."""
    return (variant in audit_variants()) or bool(config and config.get("selection") == FLAWED_LABEL)
