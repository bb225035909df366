"""LBP-TOP + SVM ("lbptop") and the flow CNN ("flowcnn") as ablation variants.

They plug into ``engine.variants`` like FIR/ER/MIXT/FULL, so they run through the same LOSO
folds, metrics, catalog runs and compare views. ``prepare`` computes each clip's features once per
(variant, seed) – LBP-TOP histograms or an onset→apex flow image – from the cached face crops and stores
them in a content-addressed ``.npz``; ``run_fold`` only fits the classifier on the training subjects.

Settings: ``BaselineConfig`` defaults, overridden by ``context.config.baselines`` (a dict or
BaselineConfig) when the ablation config carries one, or by ``context.extras["baselines"]``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np
import torch

from db.schema import Clip
from db.session import session_scope
from engine.baselines.flow import FlowCNNClassifier, flow_image
from engine.baselines.lbptop import LBPTOPSVM, lbp_top
from engine.config import config_from_dict
from engine.errors import GlimpseError
from engine.paths import cache_dir
from engine.preprocess.cache import clip_crops, save_npz
from engine.preprocess.config import PreprocessConfig
from engine.progress import NullReporter, check_cancel
from engine.variants.contract import ClipInfo, FoldResult, FoldSpec, VariantContext
from engine.variants.registry import register_variant
from engine.variants.selection import LEAKAGE_SAFE, TEST_SUBJECT_ORACLE, check_selection


@dataclass(frozen=True)
class BaselineConfig:
    """Laptop-sized defaults for both baselines (the MEGC 2019 LBP-TOP setup: 5×5 blocks, P=8, R=1)."""

    crop_size: int = 64
    lbp_grid: tuple[int, int] = (5, 5)
    lbp_points: int = 8
    lbp_radius: float = 1
    lbp_time_radius: float = 1
    lbp_method: str = "nri_uniform"
    svm_c: float = 1.0
    flow_size: int = 28
    flow_method: str = "farneback"
    cnn_epochs: int = 40
    cnn_batch_size: int = 32
    cnn_lr: float = 5e-3
    selection: str = LEAKAGE_SAFE  # TEST_SUBJECT_ORACLE: FLAWED, the leakage audit only

    def __post_init__(self) -> None:
        check_selection(self.selection)

    @classmethod
    def from_any(cls, data: Any) -> BaselineConfig:
        if data is None:
            return cls()
        if isinstance(data, cls):
            return data
        return config_from_dict(cls, data, what="baseline setting")


@dataclass(frozen=True)
class PreparedFeatures:
    """Path of the per-clip feature file plus the settings a fold needs (picklable for Ray)."""

    path: str
    config: dict
    device: str = "cpu"


def baseline_config(context: VariantContext) -> BaselineConfig:
    """The context's baseline settings: extras override the ablation config, which overrides defaults."""
    if "baselines" in context.extras:
        return BaselineConfig.from_any(context.extras["baselines"])
    return BaselineConfig.from_any(getattr(context.config, "baselines", None))


def _crop_size(context: VariantContext, cfg: BaselineConfig) -> int:
    encoder = getattr(context.config, "encoder", None)
    return int(getattr(encoder, "image_size", cfg.crop_size)) if encoder is not None else cfg.crop_size


@lru_cache(maxsize=4)
def _load(path: str) -> dict[str, np.ndarray]:
    """Folds in one process share one read of the feature file."""
    with np.load(path) as data:
        return {k: data[k] for k in data.files}


def _clip_frames(session: Any, info: ClipInfo, size: int) -> tuple[np.ndarray, list[int], str]:
    """Onset→offset face crops (T, S, S) uint8 as the clip's label source marks them, their frame
    numbers and the crop cache key."""
    window = None if info.marks is None else (info.marks[0], info.marks[2])
    crops = clip_crops(session, info.clip_id, PreprocessConfig(size=size), span="onset_offset", window=window)
    return np.asarray(crops.frames), list(crops.frame_numbers), crops.cache_key


def _coded_apex(session: Any, info: ClipInfo) -> int | None:
    """The apex the clip's label source marks (the clip's own coding for the release's)."""
    return session.get_one(Clip, info.clip_id).apex if info.marks is None else info.marks[1]


def _apex_index(numbers: list[int], apex: int | None) -> int:
    """Position of the coded apex among the kept frames (the middle frame when there is no apex)."""
    if apex is None or not numbers:
        return len(numbers) // 2
    return int(np.argmin(np.abs(np.asarray(numbers) - apex)))


def _clip_features(kind: str, frames: np.ndarray, apex: int, cfg: BaselineConfig) -> np.ndarray:
    """One clip's feature row: LBP-TOP histograms, or the onset→apex flow image."""
    if kind == "lbptop":
        if len(frames) < 3:  # LBP-TOP needs a temporal neighbour on each side
            frames = np.concatenate([frames[:1], frames, frames[-1:]])
        grid, points, radius, t_radius = cfg.lbp_grid, cfg.lbp_points, cfg.lbp_radius, cfg.lbp_time_radius
        return lbp_top(frames, grid, points, radius, t_radius, cfg.lbp_method).ravel()
    # an apex coded on the onset frame would give zero flow: use the middle frame instead
    apex = apex if apex > 0 else len(frames) // 2
    return flow_image(frames[0], frames[apex], cfg.flow_size, cfg.flow_method)


def _features_for_clips(context: VariantContext, kind: str, cfg: BaselineConfig) -> PreparedFeatures:
    """Compute (or reuse) one feature row per clip; keyed by the crops' content and the settings."""
    reporter = context.reporter or NullReporter()
    size = _crop_size(context, cfg)
    params = {"kind": kind, "size": size, **asdict(cfg), "v": 1}
    n = max(1, len(context.clips))
    with session_scope(context.db_url) as session:
        # pass 1: the crops' content keys (cache hits after the first variant) decide the feature key
        crop_keys = []
        for i, info in enumerate(context.clips):
            check_cancel(reporter)
            crop_keys.append(_clip_frames(session, info, size)[2])
            if i % 10 == 0:
                reporter.progress(0.3 * i / n, f"{kind}: face crops {i + 1}/{n}")
        marks = [c.marks for c in context.clips if c.marks is not None]  # a label source's apexes too
        payload = json.dumps(
            {"p": params, "crops": crop_keys} | ({"marks": marks} if marks else {}), sort_keys=True
        )
        digest = hashlib.sha256(payload.encode()).hexdigest()
        path = cache_dir() / "baselines" / f"{kind}-{digest[:20]}.npz"
        # pass 2 (only on a miss): one clip in memory at a time
        if not path.exists():
            rows = []
            for i, info in enumerate(context.clips):
                check_cancel(reporter)
                frames, numbers, _ = _clip_frames(session, info, size)
                where = f"clip {info.name} (id {info.clip_id})"
                if len(frames) < 2:
                    raise GlimpseError("clip has fewer than 2 frames between onset and offset", where=where)
                apex = _apex_index(numbers, _coded_apex(session, info)) if kind == "flowcnn" else 0
                rows.append(_clip_features(kind, frames, apex, cfg))
                if i % 10 == 0:
                    reporter.progress(0.3 + 0.7 * i / n, f"{kind}: features {i + 1}/{n}")
            save_npz(path, features=np.stack(rows), clip_ids=np.array([c.clip_id for c in context.clips]))
    reporter.progress(1.0, f"{kind} features ready")
    meta = {"baseline": kind, "shared_cache": True}
    context.extras.setdefault("artifacts", []).append(("features", path, meta))
    return PreparedFeatures(str(path), asdict(cfg), context.device)


def _fold_arrays(prepared: PreparedFeatures, spec: FoldSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    data = _load(prepared.path)
    row = {int(c): i for i, c in enumerate(data["clip_ids"])}
    x = data["features"]
    train = x[[row[c] for c in spec.train_clip_ids]]
    test = x[[row[c] for c in spec.test_clip_ids]]
    return train, np.asarray(spec.train_labels), test


def _result(spec: FoldSpec, classes: np.ndarray, proba: np.ndarray) -> FoldResult:
    """Probabilities re-ordered to ``spec.labels`` (a class absent from training gets 0)."""
    probs = np.zeros((len(spec.test_clip_ids), len(spec.labels)), dtype=np.float32)
    for j, c in enumerate(classes):
        probs[:, spec.labels.index(str(c))] = proba[:, j]
    return FoldResult(
        test_subject=spec.test_subject,
        clip_ids=list(spec.test_clip_ids),
        truth=list(spec.test_labels),
        predicted=[spec.labels[i] for i in probs.argmax(1)],
        probs=probs,
        labels=spec.labels,
    )


def run_lbptop_fold(prepared: PreparedFeatures, spec: FoldSpec) -> FoldResult:
    """Standardise + linear SVM on the training subjects' histograms; predict the held-out subject."""
    cfg = BaselineConfig.from_any(prepared.config)
    train, y, test = _fold_arrays(prepared, spec)
    clf = LBPTOPSVM(C=cfg.svm_c, random_state=spec.seed, precomputed=True).fit(train, y)
    return _result(spec, clf.classes_, clf.predict_proba(test))


def run_flowcnn_fold(prepared: PreparedFeatures, spec: FoldSpec) -> FoldResult:
    """Train the flow CNN on the training subjects (fixed epochs, no selection); predict the test one.

    With ``selection = test_subject_oracle`` (FLAWED, audit only) the test subject's predictions are
    those of the epoch with the best accuracy on that same subject — HTNet's and CausalNet's selection.
    """
    cfg = BaselineConfig.from_any(prepared.config)
    return _flowcnn_fold(prepared, spec, cfg)


def run_flowcnn_oracle_fold(prepared: PreparedFeatures, spec: FoldSpec) -> FoldResult:
    """The audit variant: the flow CNN with the test-subject oracle selection, whatever the config."""
    cfg = replace(BaselineConfig.from_any(prepared.config), selection=TEST_SUBJECT_ORACLE)
    return _flowcnn_fold(prepared, spec, cfg)


def _flowcnn_fold(prepared: PreparedFeatures, spec: FoldSpec, cfg: BaselineConfig) -> FoldResult:
    train, y, test = _fold_arrays(prepared, spec)
    device = prepared.device if prepared.device.startswith("cuda") and torch.cuda.is_available() else "cpu"
    clf = FlowCNNClassifier(
        epochs=cfg.cnn_epochs,
        batch_size=cfg.cnn_batch_size,
        lr=cfg.cnn_lr,
        random_state=spec.seed + 1000 * spec.index,
        device=device,
    )
    # a ~2k-weight CNN on 28×28 batches gains nothing from intra-op threads; on a busy CPU they only
    # spin, so one thread per fold (restored afterwards: the process may run other variants next)
    threads = torch.get_num_threads()
    if device == "cpu":
        torch.set_num_threads(1)
    best: dict[str, object] = {"accuracy": -1.0, "proba": None}
    truth = np.asarray(spec.test_labels)

    def oracle(model: FlowCNNClassifier) -> None:
        """FLAWED on purpose: scores the held-out subject's labels to pick the epoch (latest best wins)."""
        proba = model.predict_proba(test)
        accuracy = float(np.mean(model.classes_[proba.argmax(1)] == truth))
        if accuracy >= float(best["accuracy"]):  # type: ignore[arg-type]
            best.update(accuracy=accuracy, proba=proba)

    flawed = cfg.selection == TEST_SUBJECT_ORACLE
    try:
        clf.fit(train, y, on_epoch=oracle if flawed else None)
        proba = best["proba"] if flawed and best["proba"] is not None else clf.predict_proba(test)
    finally:
        torch.set_num_threads(threads)
    return _result(spec, clf.classes_, np.asarray(proba))


@register_variant(
    "lbptop",
    run_fold=run_lbptop_fold,
    description="LBP-TOP histograms + linear SVM (MEGC 2019 baseline)",
    cost_s=6,
)
def prepare_lbptop(context: VariantContext) -> PreparedFeatures:
    """LBP-TOP histograms of every clip's onset→offset crops."""
    return _features_for_clips(context, "lbptop", baseline_config(context))


@register_variant(
    "flowcnn",
    run_fold=run_flowcnn_fold,
    description="onset→apex optical flow + strain → shallow CNN (STSTNet-like)",
    cost_s=24,
)
def prepare_flowcnn(context: VariantContext) -> PreparedFeatures:
    """Onset→apex flow images (u, v, strain) of every clip."""
    return _features_for_clips(context, "flowcnn", baseline_config(context))


@register_variant(
    "flowcnn_oracle",
    run_fold=run_flowcnn_oracle_fold,
    description="AUDIT — FLAWED: the flow CNN with each fold's epoch picked by accuracy on the held-out "
    "test subject (HTNet/CausalNet's selection), to measure the inflation; never a result",
    audit=True,
    cost_s=24,
)
def prepare_flowcnn_oracle(context: VariantContext) -> PreparedFeatures:
    """The same flow images as ``flowcnn`` (the same cache entry): only the epoch selection differs."""
    return _features_for_clips(context, "flowcnn", baseline_config(context))
