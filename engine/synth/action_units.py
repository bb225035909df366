"""FACS action units as landmark displacements (plus the shading the renderer adds for them).

Each AU moves a known set of iBUG-68 points in a known direction, linearly in its intensity
(1.0 = a strong, macro-expression apex), so an ME at intensity 0.3 moves the same points 0.3 as far.
Displacements are in face units ``u`` (pixels per unit) so they scale with the frame. Image y grows
downwards: "raise" means negative dy. ``L``/``R`` prefixes (CASME II's ``L10``) act on the subject's
left (image right, x > face centre) or right side only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np

from engine.errors import GlimpseError
from engine.labels import FACS_AUS

UPPER_AUS = frozenset({1, 2, 4, 5, 6, 7, 9, 45})
LOWER_AUS = frozenset({10, 12, 14, 15, 17, 20, 23, 24, 25, 26})

_AU_TOKEN = re.compile(r"^([LR]?)(\d+)$")


def _moves(*entries: tuple[tuple[int, ...], float, float]) -> np.ndarray:
    """Build a (68, 2) displacement table from (points, dx_toward_outside, dy) entries.

    ``dx`` is signed "away from the face midline" so one number serves both sides.
    """
    table = np.zeros((68, 3))  # dx_out, dy, used
    for points, dx, dy in entries:
        for p in points:
            table[p] += (dx, dy, 1.0)
    return table


# intensity-1 displacements in face units: (points, outward dx, dy)
_TABLES: dict[int, np.ndarray] = {
    # AU1 inner brow raiser: inner brow ends up, outer ends a little
    1: _moves(((21, 22), 0.0, -0.13), ((20, 23), 0.0, -0.10), ((19, 24), 0.0, -0.06), ((18, 25), 0.0, -0.03)),
    # AU2 outer brow raiser
    2: _moves(((17, 26), 0.0, -0.13), ((18, 25), 0.0, -0.11), ((19, 24), 0.0, -0.07), ((20, 23), 0.0, -0.03)),
    # AU4 brow lowerer: inner brows down and together
    4: _moves(
        ((21, 22), -0.07, 0.09),
        ((20, 23), -0.05, 0.07),
        ((19, 24), -0.03, 0.05),
        ((18, 25), -0.01, 0.03),
        ((17, 26), 0.0, 0.02),
    ),
    # AU5 upper lid raiser
    5: _moves(((37, 38, 43, 44), 0.0, -0.045)),
    # AU6 cheek raiser: lower lids and outer eye corners up, cheeks bunch up
    6: _moves(((40, 41, 46, 47), 0.0, -0.03), ((36, 45), 0.0, -0.012), ((1, 2, 14, 15), 0.0, -0.03)),
    # AU7 lid tightener: lids narrow
    7: _moves(((40, 41, 46, 47), 0.0, -0.03), ((37, 38, 43, 44), 0.0, 0.012)),
    # AU9 nose wrinkler: nose base up, inner brows down a little, upper lip up a little
    9: _moves(
        ((31, 32, 33, 34, 35), 0.0, -0.05),
        ((29, 30), 0.0, -0.03),
        ((21, 22), 0.0, 0.035),
        ((50, 51, 52, 61, 62, 63), 0.0, -0.025),
    ),
    # AU10 upper lip raiser: upper lip up (centre most), nostrils a little
    10: _moves(
        ((50, 51, 52), 0.0, -0.07),
        ((49, 53), 0.0, -0.05),
        ((61, 62, 63), 0.0, -0.07),
        ((31, 32, 33, 34, 35), 0.0, -0.015),
    ),
    # AU12 lip corner puller: corners up and out
    12: _moves(
        ((48, 54), 0.09, -0.11),
        ((60, 64), 0.08, -0.10),
        ((49, 53, 59, 55), 0.04, -0.05),
        ((50, 52, 58, 56), 0.01, -0.015),
    ),
    # AU14 dimpler: corners pulled in and tightened
    14: _moves(((48, 54), -0.06, -0.015), ((60, 64), -0.055, -0.012), ((49, 53, 55, 59), -0.025, 0.0)),
    # AU15 lip corner depressor: corners down
    15: _moves(((48, 54), 0.012, 0.10), ((60, 64), 0.01, 0.09), ((49, 53, 59, 55), 0.0, 0.045)),
    # AU17 chin raiser: lower lip and chin pushed up
    17: _moves(
        ((56, 57, 58), 0.0, -0.06),
        ((55, 59), 0.0, -0.04),
        ((65, 66, 67), 0.0, -0.05),
        ((7, 8, 9), 0.0, -0.05),
        ((6, 10), 0.0, -0.025),
    ),
    # AU20 lip stretcher: corners out and slightly down, lips thin
    20: _moves(
        ((48, 54), 0.1, 0.025),
        ((60, 64), 0.09, 0.02),
        ((49, 53, 55, 59), 0.04, 0.0),
        ((50, 51, 52), 0.0, 0.012),
        ((56, 57, 58), 0.0, -0.012),
    ),
    # AU23 lip tightener: mouth narrower, lips thinner
    23: _moves(
        ((48, 54), -0.04, 0.0),
        ((60, 64), -0.035, 0.0),
        ((49, 53, 55, 59), -0.02, 0.0),
        ((50, 51, 52), 0.0, 0.02),
        ((56, 57, 58), 0.0, -0.025),
    ),
    # AU24 lip presser: lips pressed thin against each other
    24: _moves(((49, 50, 51, 52, 53), 0.0, 0.04), ((55, 56, 57, 58, 59), 0.0, -0.045)),
    # AU25 lips part
    25: _moves(((61, 62, 63), 0.0, -0.02), ((65, 66, 67), 0.0, 0.05), ((55, 56, 57, 58, 59), 0.0, 0.045)),
    # AU26 jaw drop: lower lip, chin and lower jaw down
    26: _moves(
        ((65, 66, 67), 0.0, 0.16),
        ((55, 56, 57, 58, 59), 0.0, 0.16),
        ((61, 62, 63), 0.0, -0.01),
        ((8,), 0.0, 0.17),
        ((7, 9), 0.0, 0.15),
        ((6, 10), 0.0, 0.11),
        ((5, 11), 0.0, 0.07),
        ((4, 12), 0.0, 0.03),
    ),
}

# which side each point belongs to: +1 subject's left (image right), -1 right, 0 midline
_MIDLINE = {8, 27, 28, 29, 30, 33, 51, 57, 62, 66}


def _side_of(points: np.ndarray, cx: float) -> np.ndarray:
    side = np.sign(points[:, 0] - cx)
    side[list(_MIDLINE)] = 0.0
    return side


def parse_au_code(code: str, where: str | None = None) -> dict[str, float]:
    """``"4+L10"`` -> ``{"4": 1.0, "L10": 1.0}``; refuses AUs the renderer does not model."""
    aus: dict[str, float] = {}
    for token in str(code).replace(" ", "").split("+"):
        if not token:
            continue
        match = _AU_TOKEN.match(token.upper())
        if not match or int(match.group(2)) not in FACS_AUS:
            raise GlimpseError(
                f"unknown action unit {token!r} in {code!r}",
                where=where,
                hint=f"use AUs from {FACS_AUS}, optionally prefixed L or R",
            )
        aus[f"{match.group(1)}{int(match.group(2))}"] = 1.0
    return aus


def format_au_code(aus: Mapping[str, float]) -> str:
    """CASME II spelling: AUs in numeric order joined by ``+`` (``"1+2"``, ``"4+L10"``)."""
    return "+".join(sorted(aus, key=lambda k: (au_number(k), k)))


def au_number(key: str) -> int:
    match = _AU_TOKEN.match(key)
    if not match:
        raise GlimpseError(f"unknown action unit {key!r}", hint="write AUs like 12, L10 or R14")
    return int(match.group(2))


def au_displacement(key: str, intensity: float, base: np.ndarray, u: float, cx: float) -> np.ndarray:
    """(68, 2) pixel displacement of one AU (``"12"``, ``"L10"``) at ``intensity`` on face ``base``."""
    number = au_number(key)
    if number == 45:
        return _blink(base, intensity)
    table = _TABLES[number]
    side = _side_of(base, cx)
    dx = table[:, 0] * side * u
    dy = table[:, 1] * u
    disp = np.stack([dx, dy], axis=1) * intensity
    if key[0] in "LR":
        want = 1.0 if key[0] == "L" else -1.0
        weight = np.where(side == want, 1.0, np.where(side == 0, 0.5, 0.0))
        disp *= weight[:, None]
    return disp


def _blink(base: np.ndarray, intensity: float) -> np.ndarray:
    """AU45: upper lids travel down to the lower lids (closing fraction = intensity)."""
    disp = np.zeros_like(base)
    for upper, lower in ((37, 41), (38, 40), (43, 47), (44, 46)):
        disp[upper, 1] = (base[lower, 1] - base[upper, 1]) * 0.95 * float(np.clip(intensity, 0, 1))
    return disp


def apply_aus(base: np.ndarray, aus: Mapping[str, float], u: float, cx: float) -> np.ndarray:
    """Landmarks after all ``aus`` (key -> intensity); blink acts last, on the already moved lids."""
    moved = base.copy()
    blink = 0.0
    for key, intensity in aus.items():
        if intensity == 0:
            continue
        if au_number(key) == 45:
            blink = max(blink, intensity)
            continue
        moved += au_displacement(key, intensity, base, u, cx)
    if blink:
        moved += _blink(moved, blink)
    return moved


def au_points(key: str) -> np.ndarray:
    """Indices of the iBUG points an AU moves (its region), e.g. the mouth corners for AU12."""
    number = au_number(key)
    if number == 45:
        return np.array([37, 38, 43, 44])
    return np.flatnonzero(_TABLES[number][:, 2])


def au_strengths(aus: Mapping[str, float]) -> dict[int, float]:
    """Per-AU-number strength (unilateral AUs count half) for the renderer's wrinkles and shading."""
    out: dict[int, float] = {}
    for key, value in aus.items():
        n = au_number(key)
        out[n] = out.get(n, 0.0) + value * (0.5 if key[0] in "LR" else 1.0)
    return out
