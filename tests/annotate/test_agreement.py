"""Agreement measures against hand-computed values."""

from __future__ import annotations

import pytest

from db.queries import majority_share
from engine.annotate.agreement import (
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
    # one category for both everywhere: p_e = 1, κ = 0/0 — undefined, not a perfect 1.0
    assert cohen_kappa(["neg"] * 3, ["neg"] * 3) is None


def test_krippendorff_alpha_hand_computed() -> None:
    # coincidences: unit 1 (a,a,a) → o_aa = 3; unit 2 (a,a,b) → o_aa = 1, o_ab = o_ba = 1;
    # unit 3 (b,b,b) → o_bb = 3.
    # n_a = 5, n_b = 4, n = 9: D_o = 2/9, D_e = 2·5·4/(9·8) = 40/72  →  α = 1 − (2/9)/(40/72) = 0.6
    assert krippendorff_alpha([["a", "a", "a"], ["a", "a", "b"], ["b", "b", "b"]]) == pytest.approx(0.6)
    assert krippendorff_alpha([["a", "a", "a"], ["b", "b", "b"]]) == pytest.approx(1.0)
    assert krippendorff_alpha([["a", "a"], ["a", "a", "a"]]) is None  # one category: D_e = 0, undefined


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


def test_majority_agreement() -> None:
    assert majority_share(["a", "a", "b"]) == pytest.approx(2 / 3, abs=1e-4)
    assert majority_share(["a"]) is None
