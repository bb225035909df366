"""Emotions as FACS prototypes, CASME II class proportions and CK+ codes.

Prototypes follow DATASETS.md; each emotion lists variants (the first is the canonical prototype)
because real coders see several AU combinations per emotion. An ME may show only the upper or the
lower half of its prototype and one unilateral AU, as CASME II codes them (``4+L10``).
"""

from __future__ import annotations

import numpy as np

from engine.synth.action_units import LOWER_AUS, UPPER_AUS, au_number

PROTOTYPES: dict[str, tuple[tuple[str, ...], ...]] = {
    "happiness": (("6", "12"), ("12",), ("6", "12", "25")),
    "surprise": (("1", "2", "5", "26"), ("1", "2"), ("1", "2", "5"), ("1", "2", "25", "26")),
    "disgust": (("9", "10"), ("4", "9"), ("4", "10"), ("9", "10", "17")),
    "repression": (("14",), ("15", "17"), ("17", "24"), ("14", "24"), ("15",)),
    "sadness": (("1", "4", "15"), ("1", "4", "15", "17")),
    "fear": (("1", "2", "4", "5", "20"), ("1", "4", "20")),
    "anger": (("4", "5", "7", "23"), ("4", "7", "24")),
    "contempt": (("R12", "R14"), ("L14",)),
    # CASME II "others": movements that fit no prototype
    "others": (("4",), ("7",), ("4", "7"), ("1",), ("2",), ("12", "15"), ("17",), ("14", "17")),
}

# CASME II's 255 coded rows by estimated emotion
CASME2_COUNTS: dict[str, int] = {
    "happiness": 32,
    "surprise": 25,
    "disgust": 63,
    "repression": 27,
    "others": 99,
    "fear": 2,
    "sadness": 7,
}

CKPLUS_CODES: dict[int, str] = {
    0: "neutral",
    1: "anger",
    2: "contempt",
    3: "disgust",
    4: "fear",
    5: "happiness",
    6: "sadness",
    7: "surprise",
}
# CK+'s 327 labelled sequences by code (used to weight the synthetic ones)
CKPLUS_COUNTS: dict[int, int] = {1: 45, 2: 18, 3: 59, 4: 25, 5: 69, 6: 28, 7: 83}


def emotion_plan(n_clips: int, counts: dict[str, int] | None = None) -> list[str]:
    """One emotion per clip: ``counts`` scaled to ``n_clips`` by largest remainder, in a fixed order."""
    weights = counts or CASME2_COUNTS
    total = sum(weights.values())
    exact = {e: n_clips * w / total for e, w in weights.items()}
    plan = {e: int(np.floor(v)) for e, v in exact.items()}
    order = sorted(weights, key=lambda e: (-(exact[e] - plan[e]), e))
    for e in order[: n_clips - sum(plan.values())]:
        plan[e] += 1
    return [e for e in weights for _ in range(plan[e])]


def me_action_units(
    emotion: str, rng: np.random.Generator, partial_prob: float, unilateral_prob: float
) -> tuple[dict[str, float], str | None]:
    """The AUs (key -> relative weight) one ME of ``emotion`` shows, and which half if partial."""
    variants = PROTOTYPES[emotion]
    aus = list(variants[int(rng.integers(len(variants)))])
    half: str | None = None
    upper = [a for a in aus if au_number(a) in UPPER_AUS]
    lower = [a for a in aus if au_number(a) in LOWER_AUS]
    if upper and lower and rng.random() < partial_prob:
        half = "upper" if rng.random() < 0.5 else "lower"
        aus = upper if half == "upper" else lower
    if rng.random() < unilateral_prob:
        i = int(rng.integers(len(aus)))
        if aus[i][0] not in "LR":
            aus[i] = ("L" if rng.random() < 0.5 else "R") + aus[i]
    return {a: 1.0 for a in aus}, half


def macro_action_units(emotion: str, rng: np.random.Generator) -> dict[str, float]:
    """Full prototype (first variant mostly) for a posed macro-expression."""
    variants = PROTOTYPES[emotion]
    pick = 0 if rng.random() < 0.7 else int(rng.integers(len(variants)))
    return {a: 1.0 for a in variants[pick]}
