"""Draw a parametric face from its 68 landmarks with OpenCV, then add camera effects.

Everything is whole-array numpy/OpenCV work (sub-pixel anti-aliased polygons, one shading map, one
affine warp), so a 128-px frame costs about a millisecond and sub-pixel ME motion stays visible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from engine.synth.action_units import apply_aus, au_strengths
from engine.synth.identity import Identity, face_frame, neutral_landmarks

SHIFT = 4  # OpenCV fixed-point bits: coordinates are drawn at 1/16 pixel
_ONE = 1 << SHIFT

# pseudo-depth per landmark (face units) so a yaw turns the face instead of sliding it
_DEPTH = np.zeros(68)
_DEPTH[0:17] = 0.05 * np.sin(np.linspace(0, np.pi, 17))
_DEPTH[17:27] = 0.15
_DEPTH[27:31] = (0.25, 0.32, 0.4, 0.5)
_DEPTH[31:36] = (0.3, 0.36, 0.4, 0.36, 0.3)
_DEPTH[36:48] = 0.1
_DEPTH[48:68] = 0.25


def _fix(points: np.ndarray | Sequence[float]) -> np.ndarray:
    return np.round(np.asarray(points, dtype=np.float64) * _ONE).astype(np.int32)


def _fill(img: np.ndarray, points: np.ndarray, color: tuple[float, ...] | float) -> None:
    cv2.fillPoly(img, [_fix(points)], color, cv2.LINE_AA, SHIFT)


def _lines(img: np.ndarray, points: np.ndarray, color: tuple[float, ...] | float, thick: int = 1) -> None:
    cv2.polylines(img, [_fix(points)], False, color, thick, cv2.LINE_AA, SHIFT)


def _scale(color: tuple[int, int, int], k: float) -> tuple[int, int, int]:
    return tuple(min(255, max(0, int(c * k))) for c in color)  # type: ignore[return-value]


@lru_cache(maxsize=8)
def _noise_bank(size: int, channels: int, seed: int = 7) -> np.ndarray:
    """Unit-variance sensor-noise fields; frames pick one at random (drawing fresh noise is slow)."""
    rng = np.random.default_rng(seed)
    shape = (16, size, size, channels) if channels > 1 else (16, size, size)
    return rng.standard_normal(shape, dtype=np.float32)


@lru_cache(maxsize=256)
def _neutral(identity: Identity, size: int) -> np.ndarray:
    return neutral_landmarks(identity, size)


@lru_cache(maxsize=64)
def _texture(seed: int, size: int) -> np.ndarray:
    """Per-identity skin/background texture: smooth blotches plus fine grain, mean 1."""
    rng = np.random.default_rng(seed)
    coarse = cv2.resize(
        rng.normal(0, 1, (6, 6)).astype(np.float32), (size, size), interpolation=cv2.INTER_CUBIC
    )
    mid = cv2.resize(
        rng.normal(0, 1, (24, 24)).astype(np.float32), (size, size), interpolation=cv2.INTER_LINEAR
    )
    fine = rng.normal(0, 1, (size, size)).astype(np.float32)
    return 1.0 + 0.04 * coarse + 0.02 * mid + 0.012 * fine


@lru_cache(maxsize=64)
def _background(identity: Identity, size: int) -> np.ndarray:
    top = np.array(identity.background, dtype=np.float32)
    ramp = np.linspace(1.05, 0.8, size, dtype=np.float32)[:, None, None]
    return np.clip(np.broadcast_to(top * ramp, (size, size, 3)), 0, 255).astype(np.uint8)


def face_outline(lm: np.ndarray, u: float, cx: float) -> np.ndarray:
    """Jaw (0..16) closed over the forehead, for the head silhouette."""
    left, right = lm[0], lm[16]
    half = (right[0] - left[0]) / 2
    base_y = (left[1] + right[1]) / 2
    top = base_y - 0.9 * u  # from the jaw ends, so raising a brow never moves the skull
    phi = np.linspace(0, np.pi, 13)[1:-1]
    arc = np.stack([cx + half * np.cos(phi), base_y - (base_y - top) * np.sin(phi) ** 0.7], axis=1)
    return np.concatenate([lm[0:17], arc])


# The head cache is keyed on the jaw at the drawing's 1/16-pixel grid while the head is drawn from the
# float landmarks, so a hit can return a head drawn from a slightly different jaw: which one depends on
# what the process drew before. The corpus writer therefore empties both caches before each job
# (``clear_caches``), so a clip's frames depend on the clip alone, never on the pool's scheduling.
_HEADS: dict[tuple[Identity, int, bytes], np.ndarray] = {}


def _head(identity: Identity, lm: np.ndarray, size: int) -> np.ndarray:
    """Background, neck, ears, face and hair: they depend only on the jaw, so frames of a clip share them."""
    jaw = _fix(lm[0:17])
    key = (identity, size, jaw.tobytes())
    cached = _HEADS.get(key)
    if cached is not None:
        return cached.copy()
    cx, _cy, u = face_frame(size)
    img = _background(identity, size).copy()
    skin = identity.skin
    outline = face_outline(lm, u, cx)
    neck_w = 0.55 * (lm[12, 0] - lm[4, 0])
    neck = np.array(
        [
            [cx - neck_w, lm[8, 1] - 0.4 * u],
            [cx + neck_w, lm[8, 1] - 0.4 * u],
            [cx + neck_w * 1.2, size + 2],
            [cx - neck_w * 1.2, size + 2],
        ]
    )
    _fill(img, neck, _scale(skin, 0.78))
    for p, sign in ((lm[2], -1), (lm[14], 1)):
        centre = _fix([p[0] + sign * 0.03 * u, p[1] - 0.12 * u])
        axes = _fix([0.09 * u, 0.2 * u])
        cv2.ellipse(img, tuple(centre), tuple(axes), 0, 0, 360, _scale(skin, 0.88), -1, cv2.LINE_AA, SHIFT)
    _fill(img, outline, skin)
    # hair: a cap over the top of the head down to the hairline
    top_y = outline[17:, 1].min()
    hair_y = top_y + (0.12 + 0.35 * identity.hairline) * 0.62 * u
    arc = outline[17:]
    outer = np.stack([cx + (arc[:, 0] - cx) * 1.08, arc[:, 1] - 0.1 * u], axis=1)
    inner = np.stack([arc[:, 0], np.maximum(arc[:, 1], hair_y)], axis=1)  # right -> left
    right_end = lm[16] + [0.06 * u, -0.1 * u]
    left_end = lm[0] + [-0.06 * u, -0.1 * u]
    _fill(img, np.concatenate([[left_end], outer[::-1], [right_end], inner]), identity.hair)
    if len(_HEADS) > 512:
        _HEADS.clear()
    _HEADS[key] = img
    return img.copy()


def draw_face(identity: Identity, lm: np.ndarray, strengths: Mapping[int, float], size: int) -> np.ndarray:
    """The face at landmarks ``lm`` (canonical pose) with AU wrinkles, as float32 BGR in [0, 255]."""
    cx, _cy, u = face_frame(size)
    skin = identity.skin
    img = _head(identity, lm, size)
    # cheeks: a soft warm patch raised by AU6/AU12
    lift = 0.08 * u * (strengths.get(6, 0.0) + 0.5 * strengths.get(12, 0.0))
    base = _scale(skin, 1.0)
    blush = (base[0] * 0.93, base[1] * 0.93, min(255, base[2] * 1.04))
    for p in (lm[31] * 0.5 + lm[3] * 0.5, lm[35] * 0.5 + lm[13] * 0.5):
        centre = _fix([p[0], p[1] - lift])
        cv2.ellipse(
            img, tuple(centre), tuple(_fix([0.16 * u, 0.1 * u])), 0, 0, 360, blush, -1, cv2.LINE_AA, SHIFT
        )
    _draw_brows(img, lm, identity, u)
    _draw_eyes(img, lm, identity, u)
    _draw_nose(img, lm, identity, u)
    _draw_mouth(img, lm, identity, u)
    shade = _wrinkles(lm, strengths, u, size)
    out = img.astype(np.float32)
    out *= (_texture(identity.texture_seed, size) * (1.0 - shade))[..., None]
    return out


def _draw_brows(img: np.ndarray, lm: np.ndarray, identity: Identity, u: float) -> None:
    color = tuple(int(0.75 * h + 0.25 * s) for h, s in zip(identity.hair, identity.skin, strict=True))
    for idx, outer_first in ((np.arange(17, 22), True), (np.arange(22, 27), False)):
        pts = lm[idx]
        taper = np.linspace(0.55, 1.0, 5) if outer_first else np.linspace(1.0, 0.55, 5)
        half = identity.brow_thick * u * 0.5 * taper
        poly = np.concatenate(
            [pts - np.stack([np.zeros(5), half], 1), (pts + np.stack([np.zeros(5), half], 1))[::-1]]
        )
        _fill(img, poly, color)


def _draw_eyes(img: np.ndarray, lm: np.ndarray, identity: Identity, u: float) -> None:
    h, w = img.shape[:2]
    x0, y0 = np.maximum(np.floor(lm[36:48].min(axis=0)).astype(int) - 2, 0)
    x1, y1 = np.ceil(lm[36:48].max(axis=0)).astype(int) + 3
    x1, y1 = min(w, x1), min(h, y1)
    if x1 > x0 and y1 > y0:
        # sclera, iris and pupil drawn in the eyes' box only, then clipped to the lids
        roi = img[y0:y1, x0:x1]
        layer = roi.copy()
        mask = np.zeros(roi.shape[:2], np.uint8)
        local = lm - (x0, y0)
        for first in (36, 42):
            eye = local[first : first + 6]
            _fill(mask, eye, 255)
            _fill(layer, eye, (228, 232, 236))
            corner_a, corner_b = eye[0], eye[3]
            centre = (corner_a + corner_b) / 2
            centre[1] = eye[[1, 2, 4, 5], 1].mean() * 0.5 + centre[1] * 0.5
            r = 0.36 * np.linalg.norm(corner_b - corner_a) / 2 * 1.7
            c = tuple(_fix(centre))
            cv2.circle(layer, c, int(r * _ONE), identity.iris, -1, cv2.LINE_AA, SHIFT)
            cv2.circle(layer, c, int(r * 0.45 * _ONE), (15, 15, 15), -1, cv2.LINE_AA, SHIFT)
            glint = tuple(_fix(centre + [-0.3 * r, -0.35 * r]))
            cv2.circle(layer, glint, int(r * 0.2 * _ONE), (245, 245, 245), -1, cv2.LINE_AA, SHIFT)
        alpha = (mask.astype(np.float32) * (1 / 255.0))[..., None]
        roi[:] = (layer * alpha + roi * (1 - alpha)).astype(np.uint8)
    lid = _scale(identity.hair, 0.5)
    for first in (36, 42):
        eye = lm[first : first + 6]
        _lines(img, eye[0:4], lid, 1)
        _lines(img, np.concatenate([eye[3:6], eye[0:1]]), _scale(identity.skin, 0.7), 1)
        # a crease above the upper lid
        crease = eye[0:4] + np.array([0, -0.045 * u])
        _lines(img, crease, _scale(identity.skin, 0.8), 1)


def _draw_nose(img: np.ndarray, lm: np.ndarray, identity: Identity, u: float) -> None:
    shadow = _scale(identity.skin, 0.82)
    side = lm[27:31] + np.array([0.06 * u, 0])
    _lines(img, side, shadow, 1)
    for a, b in ((31, 32), (35, 34)):
        wing = np.array(
            [lm[a] + [0, -0.1 * u], lm[a] + [(-0.03 if a == 31 else 0.03) * u, -0.03 * u], lm[a], lm[b]]
        )
        _lines(img, wing, _scale(identity.skin, 0.72), 1)
    for p in (lm[32], lm[34]):
        cv2.ellipse(
            img,
            tuple(_fix(p + [0, -0.012 * u])),
            tuple(_fix([0.035 * u, 0.018 * u])),
            0,
            0,
            360,
            _scale(identity.skin, 0.4),
            -1,
            cv2.LINE_AA,
            SHIFT,
        )
    cv2.circle(
        img,
        tuple(_fix(lm[30] + [0, 0.01 * u])),
        int(0.04 * u * _ONE),
        _scale(identity.skin, 1.08),
        -1,
        cv2.LINE_AA,
        SHIFT,
    )


def _draw_mouth(img: np.ndarray, lm: np.ndarray, identity: Identity, u: float) -> None:
    inner = lm[60:68]
    opening = float(np.mean(lm[[65, 66, 67], 1] - lm[[63, 62, 61], 1]))
    if opening > 0.3:
        _fill(img, inner, (45, 35, 70))
        teeth_h = min(opening * 0.5, 0.06 * u)
        upper = lm[60:65]
        _fill(img, np.concatenate([upper, (upper + [0, teeth_h])[::-1]]), (215, 225, 230))
    upper_lip = np.concatenate([lm[48:55], lm[[64, 63, 62, 61, 60]]])
    lower_lip = np.concatenate([lm[54:60], lm[[48, 60, 67, 66, 65, 64]]])
    _fill(img, upper_lip, _scale(identity.lip, 0.92))
    _fill(img, lower_lip, identity.lip)
    _lines(img, lm[[48, 60, 61, 62, 63, 64, 54]], _scale(identity.lip, 0.55), 1)


def _wrinkles(lm: np.ndarray, s: Mapping[int, float], u: float, size: int) -> np.ndarray:
    """Darkening map (0..~0.4) for folds AUs deepen: forehead, glabella, nose, nasolabial, chin."""
    shade = np.zeros((size, size), np.uint8)

    def stroke(points: np.ndarray, strength: float, thick: int = 1) -> None:
        if strength > 0.01:
            _lines(shade, points, float(min(255, 255 * strength)), thick)

    brow_mid_y = lm[17:27, 1].min()
    raise_ = s.get(1, 0.0) + s.get(2, 0.0)
    for k in range(3):
        y = brow_mid_y - (0.1 + 0.09 * k) * u
        xs = np.linspace(lm[19, 0], lm[24, 0], 7)
        stroke(np.stack([xs, y - 0.02 * u * np.sin(np.linspace(0, np.pi, 7))], 1), 0.28 * min(raise_, 1.5))
    for sign in (-1, 1):
        x = (lm[21, 0] + lm[22, 0]) / 2 + sign * 0.05 * u
        stroke(
            np.array([[x, lm[21, 1] - 0.06 * u], [x + sign * 0.01 * u, lm[21, 1] + 0.1 * u]]),
            0.45 * s.get(4, 0.0),
        )
    for k in range(2):
        y = lm[28, 1] + k * 0.05 * u
        stroke(np.array([[lm[28, 0] - 0.08 * u, y], [lm[28, 0] + 0.08 * u, y]]), 0.45 * s.get(9, 0.0))
    folds = 0.12 + 0.35 * (s.get(12, 0.0) + s.get(10, 0.0) + 0.5 * s.get(9, 0.0))
    for wing, corner, sign in ((31, 48, -1), (35, 54, 1)):
        a = lm[wing] + [sign * 0.06 * u, -0.04 * u]
        c = lm[corner] + [sign * 0.07 * u, 0.03 * u]
        mid = (a + c) / 2 + [sign * 0.06 * u, 0]
        stroke(np.array([a, mid, c]), folds)
        stroke(
            np.array([lm[corner] + [sign * 0.04 * u, -0.04 * u], lm[corner] + [sign * 0.045 * u, 0.04 * u]]),
            0.5 * s.get(14, 0.0),
        )
        stroke(
            np.array([lm[corner] + [sign * 0.02 * u, 0.02 * u], lm[corner] + [sign * 0.05 * u, 0.16 * u]]),
            0.35 * s.get(15, 0.0),
        )
        eye_corner = lm[36] if sign < 0 else lm[45]
        for k in (-1, 0, 1):
            start = eye_corner + [sign * 0.05 * u, k * 0.03 * u]
            stroke(np.array([start, start + [sign * 0.07 * u, k * 0.03 * u]]), 0.35 * s.get(6, 0.0))
    chin = lm[57] + [0, 0.12 * u]
    stroke(np.array([chin - [0.08 * u, 0], chin + [0, 0.02 * u], chin + [0.08 * u, 0]]), 0.4 * s.get(17, 0.0))
    return cv2.GaussianBlur(shade, (3, 3), 0).astype(np.float32) * (0.9 / 255.0)


def yaw_landmarks(lm: np.ndarray, yaw: float, size: int) -> np.ndarray:
    """Turn the face by ``yaw`` (radians, small) with the pseudo-depth table."""
    cx, _cy, u = face_frame(size)
    out = lm.copy()
    out[:, 0] = cx + (lm[:, 0] - cx) * np.cos(yaw) + np.sin(yaw) * _DEPTH * u
    return out


def pose_matrix(size: int, dx: float, dy: float, angle_deg: float, scale: float = 1.0) -> np.ndarray:
    """2x3 affine of a head pose: rotation/scale about the face centre, then translation."""
    cx, cy, _u = face_frame(size)
    m = cv2.getRotationMatrix2D((cx, cy), angle_deg, scale)
    m[:, 2] += np.array([dx, dy])
    return m


def transform_points(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    return points @ matrix[:, :2].T + matrix[:, 2]


def face_box(lm: np.ndarray, size: int) -> list[float]:
    """[x, y, w, h] from the landmarks, extended up over the forehead like a detector's box."""
    x0, y0 = lm.min(axis=0)
    x1, y1 = lm.max(axis=0)
    y0 -= 0.25 * (y1 - y0)
    x0, y0 = max(0.0, x0), max(0.0, y0)
    x1, y1 = min(float(size), x1), min(float(size), y1)
    return [round(float(x0), 2), round(float(y0), 2), round(float(x1 - x0), 2), round(float(y1 - y0), 2)]


@dataclass(frozen=True)
class Camera:
    """Per-frame camera effects applied after the face is drawn."""

    matrix: np.ndarray | None = None  # 2x3 head pose; None = canonical
    gain: float = 1.0  # illumination (flicker)
    light: float = 0.0  # left-right lighting gradient
    noise_sigma: float = 0.0
    grey: bool = False


_FACES: dict[tuple[Identity, int, float, tuple[tuple[str, float], ...]], tuple[np.ndarray, np.ndarray]] = {}


def _canonical(
    identity: Identity, aus: Mapping[str, float], size: int, yaw: float
) -> tuple[np.ndarray, np.ndarray]:
    """Landmarks and drawn face before camera effects; repeated states (neutral frames) are drawn once."""
    key = (identity, size, yaw, tuple(sorted((k, v) for k, v in aus.items() if v != 0)))
    hit = _FACES.get(key)
    if hit is not None:
        return hit
    cx, _cy, u = face_frame(size)
    lm = apply_aus(_neutral(identity, size), aus, u, cx)
    if yaw:
        lm = yaw_landmarks(lm, yaw, size)
    img = draw_face(identity, lm, au_strengths(aus), size)
    if len(_FACES) > 64:
        _FACES.clear()
    _FACES[key] = (lm, img)
    return lm, img


def clear_caches() -> None:
    """Forget the heads and faces drawn so far: what is drawn next depends only on its own inputs."""
    _HEADS.clear()
    _FACES.clear()


def render_frame(
    identity: Identity,
    aus: Mapping[str, float],
    size: int,
    camera: Camera = Camera(),
    rng: np.random.Generator | None = None,
    yaw: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """One frame (uint8 BGR, or grey if ``camera.grey``) and its 68 landmarks in image coordinates."""
    lm, img = _canonical(identity, aus, size, yaw)
    if camera.matrix is not None:
        img = cv2.warpAffine(
            img, camera.matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        lm = transform_points(lm, camera.matrix)
    else:
        img, lm = img.copy(), lm.copy()  # the canonical face may be cached: never modify it in place
    if camera.gain != 1.0 or camera.light:
        ramp = camera.gain * (1.0 + camera.light * np.linspace(-0.5, 0.5, size, dtype=np.float32))
        img *= ramp[None, :, None]
    if camera.grey:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    if camera.noise_sigma > 0:
        gen = rng if rng is not None else np.random.default_rng(0)
        bank = _noise_bank(size, 1 if camera.grey else 3)
        field = bank[int(gen.integers(len(bank)))]
        if gen.random() < 0.5:
            field = field[::-1]
        img += field * np.float32(camera.noise_sigma)
    img += 0.5
    np.clip(img, 0, 255, out=img)
    return img.astype(np.uint8), lm
