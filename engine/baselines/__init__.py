"""The LBP-TOP + SVM and flow-CNN baselines; importing the package registers them as variants
(``engine.variants``), which ``engine.train`` does for every caller."""

from engine.baselines import variants  # noqa: F401 (registers lbptop, flowcnn)
