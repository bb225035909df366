"""Agreement measures against hand-computed values."""

from __future__ import annotations

import pytest

from db.queries import majority_share
from engine.annotate.agreement import (
    Coding,
    agreement_report,
    apex_distance,
    cohen_kappa,
    interval_iou,
    krippendorff_alpha,
)
from engine.errors import GlimpseError


def test_cohen_kappa_hand_computed() -> None:
    # p_o = 4/6, p_e = 1/3 · (2/6 + 3/6 + 1/6) = 1/3  →  κ = (2/3 − 1/3) / (2/3) = 0.5
    a = ["pos", "pos", "neg", "neg", "sur", "sur"]
    b = ["pos", "neg", "neg", "neg", "sur", "pos"]
    assert cohen_kappa(a, b) == pytest.approx(0.5)
    assert cohen_kappa(a, a) == pytest.approx(1.0)
    assert cohen_kappa(["neg"] * 3, ["neg"] * 3) == 1.0


def test_krippendorff_alpha_hand_computed() -> None:
    # coincidences: unit 1 (a,a,a) → o_aa = 3; unit 2 (a,a,b) → o_aa = 1, o_ab = o_ba = 1;
    # unit 3 (b,b,b) → o_bb = 3.
    # n_a = 5, n_b = 4, n = 9: D_o = 2/9, D_e = 2·5·4/(9·8) = 40/72  →  α = 1 − (2/9)/(40/72) = 0.6
    assert krippendorff_alpha([["a", "a", "a"], ["a", "a", "b"], ["b", "b", "b"]]) == pytest.approx(0.6)
    assert krippendorff_alpha([["a", "a", "a"], ["b", "b", "b"]]) == pytest.approx(1.0)
    assert krippendorff_alpha([["a", "a"], ["a", "a", "a"]]) == 1.0  # one category: perfect, not nan


def test_krippendorff_alpha_takes_missing_codings_and_any_number_of_coders() -> None:
    # unit 3's single coding carries no pairable information and is ignored, as Krippendorff defines it
    with_missing = krippendorff_alpha([["a", "a", None], ["a", "b", "b"], ["b", None, None]])
    assert with_missing == pytest.approx(krippendorff_alpha([["a", "a"], ["a", "b", "b"]]))
    with pytest.raises(GlimpseError, match="two or more labels"):
        krippendorff_alpha([["a"], ["b", None]])


def test_interval_iou_and_apex_distance() -> None:
    assert interval_iou(10, 20, 15, 25) == pytest.approx(6 / 16)
    assert interval_iou(10, 20, 10, 20) == 1.0
    assert interval_iou(10, 12, 20, 30) == 0.0
    assert apex_distance(104, 99) == 5
    with pytest.raises(GlimpseError):
        interval_iou(20, 10, 1, 2)


def test_agreement_report_over_shared_clips() -> None:
    codings = [
        Coding(1, "alice", "positive", 10, 14, 20), Coding(1, "bob", "positive", 12, 15, 22),
        Coding(1, "carol", "positive"),
        Coding(2, "alice", "negative", 0, 5, 9), Coding(2, "bob", "surprise", 0, 7, 9),
        Coding(2, "carol", "negative"),
        Coding(3, "alice", "surprise", 5, 6, 8),  # bob did not code clip 3
    ]  # fmt: skip
    report = agreement_report(codings, "alice", "bob")
    assert report.n_shared == 2
    assert report.raw_agreement == pytest.approx(0.5)
    assert report.cohen_kappa == pytest.approx(
        cohen_kappa(["positive", "negative"], ["positive", "surprise"])
    )
    assert report.mean_apex_distance == pytest.approx((1 + 2) / 2)
    assert report.mean_interval_iou == pytest.approx((9 / 13 + 1.0) / 2)  # [10,20]∩[12,22] = 9, ∪ = 13
    assert report.n_alpha_clips == 2  # clip 3 has one coding only
    assert report.krippendorff_alpha == pytest.approx(
        krippendorff_alpha([["positive"] * 3, ["negative", "surprise", "negative"]])
    )


def test_consensus_is_not_an_annotator_for_agreement() -> None:
    codings = [
        Coding(1, "alice", "positive", 10, 14, 20), Coding(1, "bob", "negative", 10, 14, 20),
        Coding(1, "consensus", "positive", 10, 14, 20),
    ]  # fmt: skip
    report = agreement_report(codings, "alice", "bob")
    assert report.n_alpha_clips == 1
    assert report.krippendorff_alpha == pytest.approx(krippendorff_alpha([["positive", "negative"]]))


def test_majority_agreement() -> None:
    assert majority_share(["a", "a", "b"]) == pytest.approx(2 / 3, abs=1e-4)
    assert majority_share(["a"]) is None
