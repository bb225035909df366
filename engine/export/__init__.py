"""Export Glimpse-prepared inputs in the layouts of the field's public recognisers (STSTNet, HTNet,
CausalNet), with Glimpse's leave-one-subject-out folds.

``export.export_inputs`` is the entry point; formats register with ``@export_format`` in
``export.formats`` (imported here, explicitly, so the registry is complete once this package is).
"""

from engine.export import formats  # noqa: F401  (registers the formats)
from engine.export.run import export_inputs

__all__ = ["export_inputs"]
