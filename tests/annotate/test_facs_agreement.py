"""FACS-grade agreement table against values computed by hand (see each comment), the n/a rule, the
undefined κ/α, the fps-derived tolerance and the CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from engine.annotate.agreement import Coding
from engine.annotate.facs_agreement import (
    ALL_CODERS,
    ALPHA,
    AU_RATIO,
    MIN_CLIPS,
    default_tolerance,
    facs_agreement,
    write_agreement_csv,
)
from engine.errors import GlimpseError
from engine.labels import action_unit_numbers

KAPPA = "Cohen's κ"
AB, AC, BC = "alice · bob", "alice · carol", "bob · carol"


def k(clip: int, who: str, aus: str, label: str, on: int | None, ap: int | None, off: int | None) -> Coding:
    return Coding(clip, who, label, on, ap, off, aus, fps=200.0)  # 200 fps: default tolerance ±5 frames


CODINGS = [
    k(1, "alice", "1+2+12", "positive", 10, 14, 20), k(1, "bob", "L1+R12", "positive", 12, 20, 26),
    k(1, "carol", "AU1+12B", "positive", 10, 14, 20),
    k(2, "alice", "4+12", "negative", 0, 5, 9), k(2, "bob", "4", "negative", 0, 5, 15),
    k(3, "alice", "", "negative", 5, 6, 8), k(3, "bob", "", "surprise", 5, 6, 8),
    k(4, "alice", "", "surprise", 1, None, 9), k(4, "bob", "7", "surprise", 2, 4, 9),
    k(4, "consensus", "7", "surprise", 2, 4, 9),  # never a coder
]  # fmt: skip


def test_action_units_are_compared_by_number() -> None:
    assert action_unit_numbers("L1+R12") == {1, 12}
    assert action_unit_numbers("AU4 + 12B, R14") == {4, 12, 14}
    assert action_unit_numbers("") == frozenset() == action_unit_numbers("?")


def test_au_ratio_per_pair_and_pooled() -> None:
    report = facs_agreement(CODINGS)
    assert report.coders == ("alice", "bob", "carol")
    # clip 1: {1,2,12} ∩ {1,12} = 2 of 5 marked; clip 2: {4,12} ∩ {4} = 1 of 3; clip 4: {} vs {7}, 0 of 1;
    # clip 3: neither marked an AU (0/0), left out  →  2·3 / 9
    ab = report.row(AB, AU_RATIO)
    assert ab.value == pytest.approx(6 / 9) and ab.clips == 3 and ab.shown == "0.667"
    assert ab.note == "1 clip where neither marked an AU left out (0/0)"
    assert report.row(AC, AU_RATIO).value == pytest.approx(2 * 2 / 5)  # one clip: a ratio, shown
    assert report.row(AC, AU_RATIO).clips == 1
    assert report.row(BC, AU_RATIO).value == 1.0
    # pooled over the pairs: 2·(2+1+0 + 2 + 2) / (5+3+1 + 5 + 4) over clips {1, 2, 4}
    overall = report.row(ALL_CODERS, AU_RATIO)
    assert overall.value == pytest.approx(14 / 18) and overall.clips == 3


def test_per_au_kappa_hand_computed_and_n_a_below_two_clips() -> None:
    report = facs_agreement(CODINGS)
    # AU12 over clips 1–4: alice 1,1,0,0; bob 1,0,0,0 → p_o = 3/4, p_e = ½·¼ + ½·¾ = ½ → κ = 0.5
    assert report.row(AB, f"{KAPPA} AU12").value == pytest.approx(0.5)
    assert report.row(AB, f"{KAPPA} AU12").clips == 4
    assert report.row(AB, f"{KAPPA} AU1").value == pytest.approx(1.0)
    # AU2: alice 1,0,0,0; bob never → p_o = ¾ = p_e → κ = 0; AU7 likewise
    assert report.row(AB, f"{KAPPA} AU2").value == pytest.approx(0.0)
    assert report.row(AB, f"{KAPPA} AU7").value == pytest.approx(0.0)
    one = report.row(AC, f"{KAPPA} AU12")  # alice and carol share one clip
    assert (one.value, one.shown, one.clips, one.min_clips) == (None, "n/a — 1 clip", 1, 2)
    # Light's κ: the mean over pairs that have one (only alice · bob here)
    light = report.row(ALL_CODERS, f"{KAPPA} AU12")
    assert light.value == pytest.approx(0.5) and light.note.startswith("mean of 1 pair")


def test_kappa_and_alpha_undefined_when_chance_agreement_is_one() -> None:
    same = [k(c, who, "12", "positive", 1, 2, 3) for c in (1, 2) for who in ("alice", "bob")]
    report = facs_agreement(same)
    kappa = report.row(AB, f"{KAPPA} AU12")
    assert kappa.value is None and kappa.clips == 2
    assert kappa.shown == "undefined — both marked it on every clip (chance agreement 1)"
    assert report.row(ALL_CODERS, f"{KAPPA} AU12").shown == "undefined — no pair has a κ to average"
    assert report.row(AB, ALPHA).shown == "undefined — one label on every clip (no expected disagreement)"
    assert report.row(AB, AU_RATIO).value == 1.0  # the ratio is defined: they saw the same AUs


def test_timing_within_tolerance_default_and_chosen() -> None:
    report = facs_agreement(CODINGS)
    assert "25 ms" in report.tolerance
    # ±5: onset |2|,0,0,|1| all in; apex |6| out, 0, 0 (clip 4: alice has none); offset |6|,|6| out, 0, 0 in
    assert report.row(AB, "onset within ±N").value == 1.0 and report.row(AB, "onset within ±N").clips == 4
    assert report.row(AB, "apex within ±N").value == pytest.approx(2 / 3)
    assert report.row(AB, "apex within ±N").clips == 3
    assert report.row(AB, "offset within ±N").value == pytest.approx(0.5)
    # pooled apex: alice·bob 2 of 3, alice·carol 1 of 1 (14 = 14), bob·carol 0 of 1 (20 vs 14)
    assert report.row(ALL_CODERS, "apex within ±N").value == pytest.approx(3 / 5)
    wide = facs_agreement(CODINGS, tolerance_frames=6)
    assert wide.tolerance == "±6 frames"
    assert wide.row(AB, "apex within ±N").value == 1.0 and wide.row(AB, "offset within ±N").value == 1.0


def test_default_tolerance_rule() -> None:
    # ±25 ms rounded half up, at least one frame
    assert [default_tolerance(f) for f in (200, 100, 60, 30, 25)] == [5, 3, 2, 1, 1]
    unknown = [Coding(1, a, "positive", 10, 12, 14, "", None) for a in ("alice", "bob")]
    row = facs_agreement(unknown).row(AB, "onset within ±N")
    assert row.shown == "n/a — 0 clips" and row.note == "1 clip without a frame rate left out: set N"
    assert facs_agreement(unknown, tolerance_frames=0).row(AB, "onset within ±N").value == 1.0


def test_krippendorff_alpha_per_pair_and_over_everyone() -> None:
    report = facs_agreement(CODINGS)
    # alice·bob: (pos,pos) (neg,neg) (neg,sur) (sur,sur): o_ns = o_sn = 1, n = 8, n_p = 2, n_n = n_s = 3
    # D_o = 2/8, D_e = (64 − 4 − 9 − 9) / (8·7) = 42/56  →  α = 1 − (1/4)/(3/4) = 2/3
    assert report.row(AB, ALPHA).value == pytest.approx(2 / 3) and report.row(AB, ALPHA).clips == 4
    assert report.row(AC, ALPHA).shown == "n/a — 1 clip"
    # everyone: clip 1 (pos ×3) adds o_pp = 3; n = 9, n_p = n_n = n_s = 3 → D_o = 2/9, D_e = 54/72 → 19/27
    assert report.row(ALL_CODERS, ALPHA).value == pytest.approx(19 / 27)


def test_every_row_below_its_minimum_reads_n_a() -> None:
    # the minimums: chance-corrected coefficients need two clips, a ratio or share one
    assert MIN_CLIPS == {AU_RATIO: 1, KAPPA: 2, "within ±N": 1, ALPHA: 2}
    report = facs_agreement(CODINGS)
    below = [r for r in report.rows if r.clips < r.min_clips]
    assert {(r.coders, r.statistic) for r in below} == {
        *((AC, f"{KAPPA} AU{au}") for au in (1, 2, 12)),
        *((BC, f"{KAPPA} AU{au}") for au in (1, 12)),
        (AC, ALPHA),
        (BC, ALPHA),
    }
    assert all(r.value is None and r.shown == "n/a — 1 clip" for r in below)


def test_choosing_coders_and_bad_input() -> None:
    report = facs_agreement(CODINGS, coders=["bob", "alice"])
    assert {r.coders for r in report.rows} == {AB, ALL_CODERS}
    assert report.row(ALL_CODERS, AU_RATIO).value == report.row(AB, AU_RATIO).value
    with pytest.raises(GlimpseError, match="two or more coders"):
        facs_agreement(CODINGS, coders=["alice"])
    with pytest.raises(GlimpseError, match="consensus is not a coder"):
        facs_agreement(CODINGS, coders=["alice", "consensus"])
    with pytest.raises(GlimpseError, match="negative"):
        facs_agreement(CODINGS, tolerance_frames=-1)


def test_csv_written_whole(tmp_path: Path) -> None:
    report = facs_agreement(CODINGS)
    path = write_agreement_csv(report, tmp_path / "agreement.csv")
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(report.rows)
    by_key = {(r["coders"], r["statistic"]): r for r in rows}
    assert float(by_key[(AB, AU_RATIO)]["value"]) == pytest.approx(6 / 9)
    assert by_key[(AB, AU_RATIO)]["clips"] == "3"
    assert by_key[(AC, ALPHA)]["value"] == "" and by_key[(AC, ALPHA)]["shown"] == "n/a — 1 clip"
    assert [p.name for p in tmp_path.iterdir()] == ["agreement.csv"]  # no partial file left
    with pytest.raises(GlimpseError, match="does not exist"):
        write_agreement_csv(report, tmp_path / "missing" / "a.csv")
