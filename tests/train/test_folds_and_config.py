"""LOSO fold construction (no leakage), configs round-trip, variant registry."""

from __future__ import annotations

import pytest

from engine.errors import GlimpseError
from engine.labels import LABELS_ME
from engine.train.config import AblationConfig, EncoderStageConfig, SequenceConfig
from engine.train.loso import build_folds
from engine.variants.contract import ClipInfo
from engine.variants.registry import get_variant, variant_names


def _clips() -> list[ClipInfo]:
    labels = ["negative", "positive", "surprise"]
    return [
        ClipInfo(10 * s + k, f"c{s}{k}", f"ds/sub{s}", "ds", labels[(s + k) % 3])
        for s in range(5)
        for k in range(3)
    ]


def test_one_fold_per_subject_and_no_subject_on_both_sides() -> None:
    clips = _clips()
    folds = build_folds(clips, LABELS_ME, seed=0)
    assert [f.test_subject for f in folds] == [f"ds/sub{s}" for s in range(5)]
    subject_of = {c.clip_id: c.subject for c in clips}
    label_of = {c.clip_id: c.label for c in clips}
    for f in folds:
        train_subjects = {subject_of[c] for c in f.train_clip_ids}
        test_subjects = {subject_of[c] for c in f.test_clip_ids}
        assert test_subjects == {f.test_subject}
        assert f.test_subject not in train_subjects
        assert len(f.train_clip_ids) == 12 and len(f.test_clip_ids) == 3
        assert list(f.train_labels) == [label_of[c] for c in f.train_clip_ids]
        assert list(f.test_labels) == [label_of[c] for c in f.test_clip_ids]
    # every clip is tested exactly once
    assert sorted(c for f in folds for c in f.test_clip_ids) == sorted(c.clip_id for c in clips)


def test_validation_subjects_come_from_training_subjects_only() -> None:
    clips = _clips()
    subject_of = {c.clip_id: c.subject for c in clips}
    folds = build_folds(clips, LABELS_ME, seed=3, val_subjects=0.5)
    for f in folds:
        val_subjects = {subject_of[c] for c in f.val_clip_ids}
        assert len(val_subjects) == 2  # floor(0.5 * 4 training subjects)
        assert f.test_subject not in val_subjects
        assert set(f.val_clip_ids) <= set(f.train_clip_ids)
    again = build_folds(clips, LABELS_ME, seed=3, val_subjects=0.5)
    assert [f.val_clip_ids for f in again] == [f.val_clip_ids for f in folds]


def test_loso_needs_two_subjects() -> None:
    with pytest.raises(GlimpseError, match="at least 2 subjects"):
        build_folds([ClipInfo(1, "a", "ds/s1", "ds", "positive")], LABELS_ME)


def test_configs_round_trip_and_refuse_unknown_keys() -> None:
    cfg = AblationConfig(
        seeds=(0, 1, 2), encoder=EncoderStageConfig(epochs=2), sequence=SequenceConfig(rnn="lstm")
    )
    back = AblationConfig.from_dict(cfg.to_dict())
    assert back == cfg
    assert back.sequence.rnn == "lstm" and back.seeds == (0, 1, 2) and back.encoder.epochs == 2
    with pytest.raises(GlimpseError, match="unknown SequenceConfig setting"):
        SequenceConfig.from_dict({"epochz": 3})
    with pytest.raises(GlimpseError, match="interpolation"):
        SequenceConfig(interpolation="cubic")
    assert SequenceConfig().freeze_encoder is True


def test_variant_registry_knows_the_four_stages() -> None:
    assert {"fir", "er", "mixt", "full"} <= set(variant_names())
    assert get_variant("full").name == "full"
    with pytest.raises(GlimpseError, match="unknown variant"):
        get_variant("nope")
