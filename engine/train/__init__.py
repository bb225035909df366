"""Staged training (encoder stages 1/2, the stage-3 RNN), LOSO evaluation and the ablation.

Importing the package registers every variant in ``engine.variants.registry.VARIANTS``: its own encoder
variants (FIR/ER/MIXT/FULL), then the baselines (``engine.baselines``), so whoever runs or lists
variants by name sees all of them, in that order.
"""

from engine.train import encoder_variants  # noqa: F401 (registers fir, er, mixt, full)

# isort: split
from engine import baselines  # noqa: F401 (registers lbptop, flowcnn, after the encoder variants)
