"""A parametric face identity and its neutral iBUG-68 landmarks.

Identities differ in face shape, skin tone, eye/brow/nose/mouth geometry, hair and skin texture, so a
network cannot learn one face; all geometry is in units of ``u`` (a face-size unit in pixels) so the
same identity renders at any frame size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SKIN_TONES_BGR = (
    (190, 210, 240),
    (160, 190, 230),
    (140, 175, 215),
    (110, 150, 200),
    (80, 120, 170),
    (60, 90, 130),
    (45, 65, 95),
)


@dataclass(frozen=True)
class Identity:
    """One synthetic person; every field is drawn once by ``sample_identity``."""

    face_w: float  # half-width of the face (u)
    face_h: float  # half-height of the face (u)
    chin_taper: float
    eye_sep: float  # half the distance between eye centres (u)
    eye_w: float
    eye_h: float
    brow_gap: float  # brow height above the eye (u)
    brow_arch: float
    brow_thick: float
    nose_len: float
    nose_w: float
    mouth_y: float
    mouth_w: float
    lip_upper: float
    lip_lower: float
    skin: tuple[int, int, int]  # BGR
    lip: tuple[int, int, int]
    hair: tuple[int, int, int]
    iris: tuple[int, int, int]
    background: tuple[int, int, int]
    hairline: float  # how far down the forehead the hair comes (0 = bald top)
    texture_seed: int


def sample_identity(rng: np.random.Generator) -> Identity:
    """Draw a plausible, varied face."""
    base = np.array(SKIN_TONES_BGR[rng.integers(len(SKIN_TONES_BGR))], dtype=float)
    skin = np.clip(base + rng.normal(0, 8, 3), 20, 250)
    lip = np.clip(skin * np.array([0.75, 0.7, 0.95]) + rng.normal(0, 6, 3), 10, 250)
    hair_level = rng.uniform(15, 90)
    hair = np.clip(np.array([hair_level, hair_level * 1.15, hair_level * rng.uniform(1.1, 1.8)]), 0, 255)
    iris_choices = ((60, 40, 20), (40, 70, 110), (130, 100, 60), (60, 100, 60), (30, 30, 40))
    background = rng.uniform(60, 200, 3)
    return Identity(
        face_w=rng.uniform(0.82, 0.98),
        face_h=rng.uniform(1.12, 1.28),
        chin_taper=rng.uniform(0.15, 0.4),
        eye_sep=rng.uniform(0.36, 0.44),
        eye_w=rng.uniform(0.14, 0.18),
        eye_h=rng.uniform(0.055, 0.075),
        brow_gap=rng.uniform(0.17, 0.24),
        brow_arch=rng.uniform(0.03, 0.07),
        brow_thick=rng.uniform(0.035, 0.06),
        nose_len=rng.uniform(0.42, 0.55),
        nose_w=rng.uniform(0.85, 1.2),
        mouth_y=rng.uniform(0.62, 0.72),
        mouth_w=rng.uniform(0.24, 0.32),
        lip_upper=rng.uniform(0.045, 0.07),
        lip_lower=rng.uniform(0.055, 0.085),
        skin=_rgb(skin),
        lip=_rgb(lip),
        hair=_rgb(hair),
        iris=iris_choices[rng.integers(len(iris_choices))],
        background=_rgb(background),
        hairline=rng.uniform(0.0, 1.0),
        texture_seed=int(rng.integers(2**31 - 1)),
    )


def face_frame(size: int) -> tuple[float, float, float]:
    """Centre (cx, cy) and unit ``u`` (pixels) of the canonical face in a ``size`` square frame."""
    return size * 0.5, size * 0.47, size * 0.34


def neutral_landmarks(identity: Identity, size: int) -> np.ndarray:
    """The identity's neutral face as 68 iBUG points, (68, 2) float, in a ``size`` square frame."""
    cx, cy, u = face_frame(size)
    i = identity
    pts = np.zeros((68, 2))
    # jaw 0-16: image-left (subject's right) at eye level, round the chin (8), to image-right
    theta = (np.pi + 0.2) - np.arange(17) * (np.pi + 0.4) / 16
    down = np.clip(np.sin(theta), 0, None)
    pts[0:17, 0] = cx + i.face_w * u * np.cos(theta) * (1 - i.chin_taper * down**2)
    pts[0:17, 1] = cy + 0.05 * u + i.face_h * u * np.sin(theta)
    eye_y = cy - 0.22 * u
    for first, sign in ((36, -1), (42, 1)):
        ex = cx + sign * i.eye_sep * u
        w, h = i.eye_w * u, i.eye_h * u
        # right eye 36..41 starts at its outer corner (image-left); left eye 42..47 at its inner corner
        xs = np.array([-w, -w / 3, w / 3, w, w / 3, -w / 3])
        ys = np.array([0.0, -h, -h, 0.0, 0.9 * h, 0.9 * h])
        pts[first : first + 6, 0] = ex + xs
        pts[first : first + 6, 1] = eye_y + ys
    # brows: 17..21 right (outer -> inner), 22..26 left (inner -> outer)
    t = np.linspace(0, 1, 5)
    brow_y = eye_y - i.brow_gap * u
    for first, sign in ((17, -1), (22, 1)):
        ex = cx + sign * i.eye_sep * u
        span = np.linspace(-0.24, 0.2, 5) * u if sign < 0 else np.linspace(-0.2, 0.24, 5) * u
        pts[first : first + 5, 0] = ex + span
        arch = i.brow_arch * u * np.sin(np.pi * (t * 0.8 + 0.2 if sign < 0 else (1 - t) * 0.8 + 0.2))
        pts[first : first + 5, 1] = brow_y - arch
    # nose: bridge 27..30, base 31..35
    tip_y = eye_y + i.nose_len * u
    pts[27:31, 0] = cx
    pts[27:31, 1] = np.linspace(eye_y - 0.02 * u, tip_y, 4)
    nw = 0.13 * u * i.nose_w
    pts[31:36, 0] = cx + np.array([-1, -0.5, 0, 0.5, 1]) * nw
    pts[31:36, 1] = tip_y + np.array([0.0, 0.04, 0.05, 0.04, 0.0]) * u
    # mouth: outer 48..59 from the right corner (image-left) over the top, inner 60..67
    my = cy + i.mouth_y * u
    mw = i.mouth_w * u
    up, lo = i.lip_upper * u, i.lip_lower * u
    pts[48] = (cx - mw, my)
    pts[49] = (cx - 0.6 * mw, my - 0.8 * up)
    pts[50] = (cx - 0.25 * mw, my - 1.05 * up)
    pts[51] = (cx, my - 0.85 * up)
    pts[52] = (cx + 0.25 * mw, my - 1.05 * up)
    pts[53] = (cx + 0.6 * mw, my - 0.8 * up)
    pts[54] = (cx + mw, my)
    pts[55] = (cx + 0.6 * mw, my + 0.8 * lo)
    pts[56] = (cx + 0.25 * mw, my + lo)
    pts[57] = (cx, my + 1.02 * lo)
    pts[58] = (cx - 0.25 * mw, my + lo)
    pts[59] = (cx - 0.6 * mw, my + 0.8 * lo)
    pts[60] = (cx - 0.85 * mw, my)
    pts[61] = (cx - 0.35 * mw, my - 0.05 * up)
    pts[62] = (cx, my - 0.05 * up)
    pts[63] = (cx + 0.35 * mw, my - 0.05 * up)
    pts[64] = (cx + 0.85 * mw, my)
    pts[65] = (cx + 0.35 * mw, my + 0.05 * up)
    pts[66] = (cx, my + 0.05 * up)
    pts[67] = (cx - 0.35 * mw, my + 0.05 * up)
    return pts


# iBUG point groups the renderer and the AU model share
JAW = np.arange(0, 17)
RIGHT_BROW = np.arange(17, 22)
LEFT_BROW = np.arange(22, 27)
NOSE_BRIDGE = np.arange(27, 31)
NOSE_BASE = np.arange(31, 36)
RIGHT_EYE = np.arange(36, 42)
LEFT_EYE = np.arange(42, 48)
OUTER_LIPS = np.arange(48, 60)
INNER_LIPS = np.arange(60, 68)
UPPER_FACE = np.arange(17, 48)
LOWER_FACE = np.concatenate([np.arange(0, 17), np.arange(48, 68)])


def _rgb(values: Sequence[float] | np.ndarray) -> tuple[int, int, int]:
    """An (r, g, b) of ints from any three numbers."""
    r, g, b = (int(v) for v in values)
    return r, g, b
