"""Export Glimpse-prepared inputs in the layouts of the field's public recognisers (STSTNet, HTNet,
CausalNet). ``engine.api.export`` hands in the clips and Glimpse's leave-one-subject-out folds.

Formats register with ``@register_export_format`` in ``export.formats`` (imported here, explicitly, so the
registry is complete once this package is).
"""

from engine.export import formats  # noqa: F401  (registers the formats)
from engine.export.registry import EXPORT_FORMATS

__all__ = ["EXPORT_FORMATS"]
