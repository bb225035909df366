"""FACS action units move the right landmarks in the right direction, linearly in intensity."""

from __future__ import annotations

import numpy as np
import pytest

from engine.errors import GlimpseError
from engine.synth.action_units import apply_aus, au_points, format_au_code, parse_au_code
from engine.synth.dynamics import me_curve
from engine.synth.emotions import CASME2_COUNTS, emotion_plan
from engine.synth.identity import face_frame, neutral_landmarks, sample_identity

SIZE = 128
CX, CY, U = face_frame(SIZE)


@pytest.fixture(scope="module")
def base() -> np.ndarray:
    return neutral_landmarks(sample_identity(np.random.default_rng(3)), SIZE)


def moved(base: np.ndarray, code: str, intensity: float = 1.0) -> np.ndarray:
    aus = {k: intensity for k in parse_au_code(code)}
    return apply_aus(base, aus, U, CX) - base


def test_neutral_landmarks_follow_ibug_layout(base: np.ndarray) -> None:
    assert base.shape == (68, 2)
    assert base[36, 0] < base[39, 0] < CX < base[42, 0] < base[45, 0]  # right eye image-left
    assert base[48, 0] < CX < base[54, 0]  # mouth corners
    assert base[19, 1] < base[37, 1] < base[30, 1] < base[51, 1] < base[57, 1] < base[8, 1]  # top to bottom
    assert abs(base[8, 0] - CX) < 1e-6  # chin on the midline


def test_au12_raises_mouth_corners_and_pulls_them_out(base: np.ndarray) -> None:
    d = moved(base, "12")
    assert d[48, 1] < -2 and d[54, 1] < -2  # up (y decreases) by pixels
    assert d[48, 0] < -1 and d[54, 0] > 1  # outward on both sides
    assert np.allclose(d[17:48], 0)  # brows, nose and eyes untouched
    assert np.allclose(d[0:17], 0)


def test_au4_lowers_inner_brows_and_draws_them_together(base: np.ndarray) -> None:
    d = moved(base, "4")
    assert d[21, 1] > 2 and d[22, 1] > 2  # down
    assert d[21, 0] > 1 and d[22, 0] < -1  # toward the midline
    assert d[21, 1] > d[17, 1]  # inner ends move more than outer ends
    assert np.allclose(d[48:68], 0)


def test_au1_raises_inner_brows_more_than_outer(base: np.ndarray) -> None:
    d = moved(base, "1")
    assert d[21, 1] < -3 and d[22, 1] < -3
    assert d[21, 1] < d[17, 1] <= 0


def test_au2_raises_outer_brows_more_than_inner(base: np.ndarray) -> None:
    d = moved(base, "2")
    assert d[17, 1] < d[20, 1] < 0 and d[21, 1] == 0


def test_au15_lowers_mouth_corners(base: np.ndarray) -> None:
    d = moved(base, "15")
    assert d[48, 1] > 2 and d[54, 1] > 2


def test_au26_drops_jaw_and_chin_and_opens_mouth(base: np.ndarray) -> None:
    d = moved(base, "26")
    assert d[8, 1] > 4  # chin down
    assert d[57, 1] > 4 and d[66, 1] > 4  # lower lip down
    assert d[8, 1] > d[4, 1] >= 0  # the chin moves most, the jaw sides less
    opened = base + d
    assert opened[66, 1] - opened[62, 1] > 4  # lips apart


def test_au45_closes_the_eyes(base: np.ndarray) -> None:
    after = base + moved(base, "45")
    assert abs(after[37, 1] - after[41, 1]) < 0.1 * abs(base[37, 1] - base[41, 1])


def test_unilateral_au_moves_one_side_only(base: np.ndarray) -> None:
    d = moved(base, "L12")  # subject's left = image right
    assert d[54, 1] < -2
    assert d[48, 1] == 0


def test_displacement_is_linear_so_me_is_a_fraction_of_macro(base: np.ndarray) -> None:
    me_fraction = 0.3
    for code in ("6+12", "1+2+5+26", "9+10", "14", "1+4+15"):
        macro = np.linalg.norm(moved(base, code, 1.0))
        me = np.linalg.norm(moved(base, code, me_fraction))
        assert macro > 3
        assert me / macro == pytest.approx(me_fraction, rel=1e-9)


def test_au_codes_round_trip_and_unknown_aus_are_refused() -> None:
    assert parse_au_code("4+L10") == {"4": 1.0, "L10": 1.0}
    assert format_au_code({"12": 1.0, "6": 1.0}) == "6+12"
    assert set(au_points("12")) >= {48, 54, 60, 64}
    with pytest.raises(GlimpseError, match="unknown action unit"):
        parse_au_code("4+99")


def test_me_curve_peaks_at_apex_and_is_zero_outside() -> None:
    curve = me_curve(40, 10, 18, 30)
    assert curve[:11].max() == 0 and curve[30:].max() == 0
    assert curve[18] == 1.0 and int(np.argmax(curve)) == 18
    assert np.all(np.diff(curve[10:19]) > 0) and np.all(np.diff(curve[18:31]) < 0)


def test_emotion_plan_keeps_casme2_proportions() -> None:
    plan = emotion_plan(150, CASME2_COUNTS)
    assert len(plan) == 150
    counts = {e: plan.count(e) for e in CASME2_COUNTS}
    assert counts["others"] == 58 and counts["disgust"] == 37 and counts["happiness"] == 19
    assert counts["fear"] >= 1 and counts["sadness"] >= 1
