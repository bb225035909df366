"""Frozen configs of the staged training, with laptop defaults (the whole default ablation ≤ 10 min on
2 CPU cores); the same configs scaled up (``enc_base``, 128², more epochs) are what runs on a GPU."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from engine.annotate.sources import DEFAULT_LABELS, canonical
from engine.config import config_from_dict
from engine.errors import GlimpseError
from engine.variants.registry import encoder_variant_names
from engine.variants.selection import LEAKAGE_SAFE, check_selection

IMBALANCE = ("weighted_loss", "sampler", "none")
INTERPOLATION = ("nearest", "linear")
RNN_TYPES = ("gru", "lstm")
# how the ME clips are split into folds (name → what the Train page says about it)
PROTOCOLS: dict[str, str] = {
    "loso": "leave-one-subject-out over the ME datasets",
    "composite": "MEGC 2019 composite (CASME II + SMIC-HS + SAMM membership), LOSO",
    "cross_dataset": "cross-dataset: train on some datasets, test on others",
}
# parameter dtypes a run can be told to use (the models and the feature pipeline are float32 throughout)
DTYPES = ("float32",)


@dataclass(frozen=True)
class EncoderStageConfig:
    """Stages 1 (FIR), 2 (ER), MIXT and FULL: how the encoder is trained on still images."""

    model: str = "enc_small"
    image_size: int = 64
    epochs: int = 6  # per stage; FULL runs FIR then ER with this many epochs each
    batch_size: int = 32
    lr: float = 2e-3
    weight_decay: float = 1e-4
    mixt_weight: float = 0.5  # MIXT loss = w · reconstruction + (1 − w) · cross-entropy
    bf16: bool = False  # bf16 autocast (CPU and CUDA)
    class_weighting: bool = True  # ER/MIXT cross-entropy weighted by inverse class frequency
    fir_use_me_frames: bool = (
        False  # stage 1 also reconstructs ME frames (unlabelled, so no leakage of labels)
    )
    max_images: int = 3000  # cap per image set, sampled deterministically
    peak_frames: int = 2  # last frames of a macro sequence → its emotion
    neutral_frames: int = 1  # first frames of a macro sequence → neutral
    augment: bool = True  # random horizontal flip + small brightness jitter

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> EncoderStageConfig:
        return config_from_dict(cls, data)


@dataclass(frozen=True)
class SequenceConfig:
    """Stage 3: the RNN over per-frame features of each ME clip, trained per LOSO fold."""

    rnn: str = "gru"
    hidden: int = 64
    layers: int = 1
    dropout: float = 0.1
    seq_len: int = 12  # frames resampled between onset and offset to this length
    interpolation: str = "linear"  # nearest | linear
    relative_to_onset: bool = True  # features minus the first frame's: removes identity, keeps motion
    epochs: int = 30
    batch_size: int = 32
    lr: float = 3e-3
    weight_decay: float = 1e-4
    freeze_encoder: bool = True  # False: the encoder runs (and is fine-tuned) inside every fold
    imbalance: str = "weighted_loss"  # weighted_loss | sampler | none
    val_subjects: float = 0.0  # fraction of TRAINING subjects held out to pick the epoch (never the test one)
    selection: str = LEAKAGE_SAFE  # TEST_SUBJECT_ORACLE: FLAWED, audit only (see SELECTIONS)

    def __post_init__(self) -> None:
        if self.rnn not in RNN_TYPES:
            raise GlimpseError(f"rnn must be one of {RNN_TYPES}, not {self.rnn!r}")
        if self.interpolation not in INTERPOLATION:
            raise GlimpseError(f"interpolation must be one of {INTERPOLATION}, not {self.interpolation!r}")
        if self.imbalance not in IMBALANCE:
            raise GlimpseError(f"imbalance must be one of {IMBALANCE}, not {self.imbalance!r}")
        if not 0.0 <= self.val_subjects < 1.0:
            raise GlimpseError("val_subjects must be a fraction in [0, 1)")
        if self.seq_len < 2:
            raise GlimpseError("seq_len must be at least 2")
        check_selection(self.selection)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> SequenceConfig:
        return config_from_dict(cls, data)


@dataclass(frozen=True)
class RuntimeConfig:
    """What changes a run's numbers besides its config and seed, so it is part of the config.

    Applied inside the run and inside each fold task (``runtime.applied_runtime``) whatever the caller's
    environment: ``OMP_NUM_THREADS``, a worker's default thread count or an earlier ``--threads`` cannot
    change the result (issue 10 found FULL seed 0 at UF1 0.775 on one intra-op thread and 0.725 on two:
    another reduction order rounds differently). ``deterministic`` turns on torch's deterministic
    algorithms (and off TF32 / cuDNN autotuning on CUDA).
    """

    threads: int = 1  # torch intra-op threads
    deterministic: bool = True
    dtype: str = "float32"

    def __post_init__(self) -> None:
        if self.threads < 1:
            raise GlimpseError(f"runtime threads must be at least 1, not {self.threads}")
        if self.dtype not in DTYPES:
            raise GlimpseError(f"unsupported dtype {self.dtype!r}", hint=f"use one of {', '.join(DTYPES)}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> RuntimeConfig:
        return config_from_dict(cls, data)


@dataclass(frozen=True)
class AblationConfig:
    """Which variants × seeds run, on which datasets, with which stage configs."""

    variants: tuple[str, ...] = field(default_factory=encoder_variant_names)  # FIR/ER/MIXT/FULL
    seeds: tuple[int, ...] = (0,)
    me_datasets: tuple[str, ...] = ("synthetic-casme2",)
    macro_dataset: str = "synthetic-ckplus"
    faces_dataset: str = "synthetic-faces"
    device: str = "auto"
    encoder: EncoderStageConfig = field(default_factory=EncoderStageConfig)
    sequence: SequenceConfig = field(default_factory=SequenceConfig)
    runtime: RuntimeConfig = field(default_factory=RuntimeConfig)
    # settings of plug-in variants (e.g. engine.baselines' BaselineConfig fields), passed through as is
    baselines: dict[str, Any] = field(default_factory=dict)
    protocol: str = "loso"  # loso | composite | cross_dataset (see PROTOCOLS)
    train_datasets: tuple[str, ...] = ()  # cross_dataset only: the ME datasets trained on
    test_datasets: tuple[str, ...] = ()  # cross_dataset only: the ME datasets tested on
    # label sources (engine.annotate.sources): the coding a run learns from and is scored against; an
    # ablation runs every variant × seed on each (a factor like variants); one run records its one
    labels: tuple[str, ...] = (DEFAULT_LABELS,)

    def __post_init__(self) -> None:
        if isinstance(self.labels, str):
            object.__setattr__(self, "labels", (self.labels,))
        labels = tuple(dict.fromkeys(canonical(x) for x in self.labels))
        if not labels:
            raise GlimpseError("give at least one label source", hint="e.g. --labels source")
        object.__setattr__(self, "labels", labels)  # canonical spelling, each once
        if self.protocol not in PROTOCOLS:
            raise GlimpseError(
                f"unknown protocol {self.protocol!r}", hint=f"use one of {', '.join(PROTOCOLS)}"
            )
        if self.protocol == "cross_dataset":
            if not self.train_datasets or not self.test_datasets:
                raise GlimpseError(
                    "protocol cross_dataset needs both train_datasets and test_datasets",
                    hint="e.g. --train-dataset casme2 --test-dataset samm",
                )
            overlap = sorted(set(self.train_datasets) & set(self.test_datasets))
            if overlap:
                raise GlimpseError(
                    f"dataset(s) {', '.join(overlap)} are both train and test datasets",
                    hint="cross_dataset trains and tests on disjoint datasets",
                )
        elif self.train_datasets or self.test_datasets:
            raise GlimpseError(
                f"train_datasets/test_datasets only apply to protocol cross_dataset, not {self.protocol!r}",
                hint="add --protocol cross_dataset, or use --dataset for loso/composite",
            )

    def evaluation_datasets(self) -> tuple[str, ...]:
        """The ME datasets the protocol draws clips from (train then test ones for cross_dataset)."""
        if self.protocol == "cross_dataset":
            return tuple(dict.fromkeys((*self.train_datasets, *self.test_datasets)))
        return self.me_datasets

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["variants"], data["seeds"] = list(self.variants), list(self.seeds)
        data["me_datasets"] = list(self.me_datasets)
        data["train_datasets"], data["test_datasets"] = list(self.train_datasets), list(self.test_datasets)
        data["baselines"] = dict(self.baselines)
        data["labels"] = list(self.labels)
        return data

    @property
    def label_source(self) -> str:
        """The one label source of a single run (an ablation splits its ``labels`` into runs)."""
        if len(self.labels) != 1:
            raise GlimpseError(
                f"one run learns from one label source, got {', '.join(self.labels)}",
                hint="run an ablation to compare label sources",
            )
        return self.labels[0]

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> AblationConfig:
        data = dict(data or {})
        for key in ("me_datasets", "train_datasets", "test_datasets", "labels"):
            if isinstance(data.get(key), str):
                data[key] = [data[key]]
        encoder = EncoderStageConfig.from_dict(data.pop("encoder", None))
        sequence = SequenceConfig.from_dict(data.pop("sequence", None))
        runtime = RuntimeConfig.from_dict(data.pop("runtime", None))
        cfg = config_from_dict(cls, data)
        return AblationConfig(
            **{
                **{f.name: getattr(cfg, f.name) for f in fields(cls)},
                "encoder": encoder,
                "sequence": sequence,
                "runtime": runtime,
            }
        )

    @staticmethod
    def tiny() -> AblationConfig:
        """Seconds-long settings for tests and smoke runs."""
        return AblationConfig(
            encoder=EncoderStageConfig(
                model="enc_tiny", image_size=32, epochs=1, batch_size=16, max_images=64
            ),
            sequence=SequenceConfig(hidden=16, seq_len=6, epochs=3, batch_size=8),
        )
