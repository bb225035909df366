"""The baselines run as ablation variants through the same LOSO, metrics and catalog as FULL."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from db.schema import Clip, Metric, Prediction, Run
from db.session import session_scope
from engine.baselines import variants as baseline_variants
from engine.baselines.variants import BaselineConfig, _result
from engine.errors import GlimpseError
from engine.train.ablation import run_variant
from engine.train.config import AblationConfig
from engine.variants.contract import FoldSpec
from engine.variants.registry import get_variant
from engine.variants.selection import FLAWED_LABEL


def _cfg() -> AblationConfig:
    return AblationConfig.tiny()


def test_variants_are_registered() -> None:
    lbptop, flowcnn = get_variant("lbptop"), get_variant("flowcnn")
    assert lbptop.run_fold is baseline_variants.run_lbptop_fold
    assert flowcnn.run_fold is baseline_variants.run_flowcnn_fold
    assert lbptop.datasets == flowcnn.datasets == ("me",) and lbptop.stages == flowcnn.stages == ()


@pytest.mark.parametrize("variant", ["lbptop", "flowcnn"])
def test_baseline_loso_end_to_end(
    baseline_catalog: str, variant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = BaselineConfig(cnn_epochs=20, cnn_batch_size=8)
    monkeypatch.setattr(baseline_variants, "baseline_config", lambda context: small)
    out = run_variant(baseline_catalog, variant, 0, _cfg())
    assert out.variant == variant and out.seed == 0
    assert len(out.fold_uf1) == 4  # one fold per subject
    # direction of motion is the class (chance: 1/3). The flow CNN sees the direction directly (1.0 here);
    # LBP-TOP + SVM learns it from 9 training clips per fold, so only "well above chance" is required
    floor = {"flowcnn": 0.9, "lbptop": 0.66}[variant]
    assert out.uar >= floor and out.uf1 >= floor, (variant, out.uf1, out.uar)
    with session_scope(baseline_catalog) as s:
        run = s.get(Run, out.run_id)
        assert run.status == "succeeded" and run.variant == variant
        preds = list(s.scalars(select(Prediction).where(Prediction.run_id == out.run_id)))
        assert len(preds) == 12
        assert {p.truth for p in preds} == {"negative", "positive", "surprise"}
        # every prediction carries a distribution over the 3 classes whose argmax is the predicted class
        assert all(set(p.probs) == {"negative", "positive", "surprise"} for p in preds)
        assert all(sum(p.probs.values()) == pytest.approx(1.0, abs=1e-4) for p in preds)
        assert all(max(p.probs, key=p.probs.get) == p.predicted for p in preds)
        names = {(m.scope, m.name) for m in s.scalars(select(Metric).where(Metric.run_id == out.run_id))}
        assert ("overall", "uf1") in names and ("overall", "uar") in names
    # same seed → same metrics (deterministic on CPU)
    again = run_variant(baseline_catalog, variant, 0, _cfg())
    assert again.uf1 == pytest.approx(out.uf1) and np.isclose(again.uar, out.uar)


def test_baseline_config_overrides() -> None:
    cfg = BaselineConfig.from_any({"lbp_grid": [4, 4], "svm_c": 0.5})
    assert cfg.lbp_grid == (4, 4) and cfg.svm_c == 0.5 and cfg.cnn_epochs == 40
    with pytest.raises(GlimpseError, match="unknown baseline setting"):
        BaselineConfig.from_any({"lbp_gird": [4, 4]})


def test_fold_probabilities_follow_the_protocol_label_order() -> None:
    spec = FoldSpec(
        index=0,
        test_subject="d/s1",
        train_clip_ids=(1, 2),
        train_labels=("surprise", "negative"),
        test_clip_ids=(3, 4),
        test_labels=("negative", "surprise"),
        seed=0,
        labels=("negative", "positive", "surprise"),
    )
    # the classifier only saw negative and surprise (alphabetical classes_), positive gets probability 0
    proba = np.array([[0.9, 0.1], [0.2, 0.8]])
    result = _result(spec, np.array(["negative", "surprise"]), proba)
    np.testing.assert_allclose(result.probs, [[0.9, 0.0, 0.1], [0.2, 0.0, 0.8]])
    assert result.predicted == ["negative", "surprise"]
    assert result.truth == ["negative", "surprise"] and result.clip_ids == [3, 4]


def test_leakage_audit_oracle_selection_inflates_and_is_labelled_flawed(
    baseline_catalog: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same data, same seed: picking each fold's epoch on its test subject scores at least as well as
    the leakage-safe fixed budget — and the run says FLAWED wherever it is read.

    The labels are shuffled (fixed seed), so there is nothing to learn: the leakage-safe protocol sits
    near chance while the oracle keeps, per fold, whichever epoch happened to guess its subject best.
    """
    with session_scope(baseline_catalog) as s:
        clips = list(s.scalars(select(Clip).order_by(Clip.id)))
        shuffled = np.random.default_rng(3).permutation([c.label for c in clips])
        for clip, label in zip(clips, shuffled, strict=True):
            clip.label = str(label)
        s.commit()
    small = BaselineConfig(cnn_epochs=15, cnn_batch_size=4)
    monkeypatch.setattr(baseline_variants, "baseline_config", lambda context: small)
    safe = run_variant(baseline_catalog, "flowcnn", 0, _cfg())
    oracle = run_variant(baseline_catalog, "flowcnn_oracle", 0, _cfg())
    assert oracle.uf1 >= safe.uf1 and oracle.uar >= safe.uar
    assert sum(oracle.fold_uf1.values()) > sum(safe.fold_uf1.values())  # it really inflates here
    with session_scope(baseline_catalog) as s:
        flawed, clean = s.get(Run, oracle.run_id), s.get(Run, safe.run_id)
        assert flawed.config["selection"] == FLAWED_LABEL and "FLAWED" in flawed.name
        assert clean.config["selection"] == "leakage_safe" and "FLAWED" not in clean.name
    assert get_variant("flowcnn_oracle").audit and "FLAWED" in get_variant("flowcnn_oracle").description
    with pytest.raises(GlimpseError, match="unknown epoch selection"):
        BaselineConfig(selection="best_on_test")
