"""One typed request per training job kind, built (and checked) by ``build_request``, the one function
the CLI and the Train page both call, and carried in a job row as ``to_params()``.

Why: the seed, the variant and now the label source used to travel as loose keys of a ``params`` dict
through the page, the CLI, the job row, the handler and the entry point, each spelling and defaulting
them. A frozen request is checked once, before any job exists (an unknown variant, a bad config, a label
source that does not exist or covers too few clips: a GlimpseError naming what), and read back the same
way by the worker.

- ``TrainRequest(variant, seed, labels, config)``: one variant × seed on one label source.
- ``AblationRequest(config)``: ``config.variants`` × ``config.seeds`` × ``config.labels``.
- ``EvaluateRequest(run_id, seed, overrides)``: stage 3 again with a stored run's encoder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from db.session import default_url, session_scope
from engine.annotate.sources import DEFAULT_LABELS, canonical
from engine.errors import GlimpseError
from engine.train.config import AblationConfig
from engine.train.data import protocol_selection
from engine.variants.registry import get_variant

KINDS = ("train", "ablation", "evaluate")


@dataclass(frozen=True)
class TrainRequest:
    """One LOSO run: ``variant`` × ``seed`` learning from the label source ``labels``."""

    variant: str
    seed: int
    labels: str
    config: AblationConfig

    @property
    def run_config(self) -> AblationConfig:
        """The config the run stores: this variant, seed and label source, the rest as given."""
        return replace(self.config, variants=(self.variant,), seeds=(self.seed,), labels=(self.labels,))

    def to_params(self) -> dict[str, Any]:
        return {
            "variant": self.variant,
            "seed": self.seed,
            "labels": self.labels,
            "config": self.config.to_dict(),
        }


@dataclass(frozen=True)
class AblationRequest:
    """Every variant × seed × label source of ``config`` under one parent run."""

    config: AblationConfig

    def to_params(self) -> dict[str, Any]:
        return {"config": self.config.to_dict()}


@dataclass(frozen=True)
class EvaluateRequest:
    """Stage 3 again with run ``run_id``'s encoder; ``overrides`` replace parts of its stored config."""

    run_id: str
    seed: int = 0
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def to_params(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "seed": self.seed, "config": dict(self.overrides)}


TrainingRequest = TrainRequest | AblationRequest | EvaluateRequest


def _check_labels(cfg: AblationConfig, labels: tuple[str, ...], db_url: str | None) -> None:
    """Each label source must exist and cover every fold (``data.protocol_selection``), now."""
    with session_scope(db_url or default_url()) as session:
        for source in labels:
            protocol_selection(session, cfg, source)


def build_request(
    kind: str,
    config: AblationConfig | Mapping[str, Any],
    *,
    variant: str | None = None,
    seed: int | None = None,
    labels: str | None = None,
    run_id: str | None = None,
    db_url: str | None = None,
    check_catalog: bool = True,
) -> TrainingRequest:
    """The checked request of a ``train`` / ``ablation`` / ``evaluate`` job.

    ``train`` takes ``variant``, ``seed`` and ``labels`` (defaults: the config's first of each);
    ``ablation`` the config's variants × seeds × labels. ``check_catalog``: refuse a label source that
    does not exist or covers too few clips of a fold, before any job row exists.
    """
    if kind == "evaluate":
        if not run_id:
            raise GlimpseError("evaluate needs the id of a run with an encoder checkpoint")
        overrides = dict(config) if isinstance(config, Mapping) else config.to_dict()
        return EvaluateRequest(str(run_id), int(seed or 0), overrides)
    cfg = config if isinstance(config, AblationConfig) else AblationConfig.from_dict(dict(config))
    if kind == "train":
        name = variant or (cfg.variants[0] if cfg.variants else "full")
        get_variant(name)  # an unknown name fails here, naming the known ones
        if labels is None and len(cfg.labels) > 1:
            raise GlimpseError(
                f"one run learns from one label source, got {', '.join(cfg.labels)}",
                hint="pick one, or launch an ablation to compare label sources",
            )
        source = canonical(labels or cfg.labels[0] or DEFAULT_LABELS)
        request = TrainRequest(name, int(cfg.seeds[0] if seed is None else seed), source, cfg)
        if check_catalog:
            _check_labels(cfg, (source,), db_url)
        return request
    if kind == "ablation":
        if not cfg.variants or not cfg.seeds:
            raise GlimpseError("give at least one variant and one seed")
        for name in cfg.variants:
            get_variant(name)
        if check_catalog:
            _check_labels(cfg, cfg.labels, db_url)
        return AblationRequest(cfg)
    raise GlimpseError(f"unknown training job kind {kind!r}", hint=f"use one of {', '.join(KINDS)}")


def request_from_params(kind: str, params: Mapping[str, Any]) -> TrainingRequest:
    """A job row's params back as its request (the worker's side; checked again by the run itself).

    Rows written before typed requests hold the config's fields flat beside ``variant``/``stage`` and
    ``seed``; they are still read.
    """
    data = dict(params or {})
    data.pop("db_url", None)
    if kind == "evaluate":
        return build_request(
            kind, data.get("config") or {k: v for k, v in data.items() if k not in ("run_id", "seed")},
            seed=int(data.get("seed", 0)), run_id=data.get("run_id"), check_catalog=False,
        )  # fmt: skip
    variant = data.pop("variant", None) or data.pop("stage", None)
    data.pop("stage", None)
    seed = data.pop("seed", None)
    labels = data.pop("labels", None) if "config" in data else None
    config = data.pop("config", None)
    if config is None:  # the flat form
        config = data
    return build_request(
        kind,
        config,
        variant=variant,
        seed=None if seed is None else int(seed),
        labels=labels,
        check_catalog=False,
    )
