"""LBP-TOP + linear SVM, the MEGC 2019 reference baseline, as scikit-learn estimators.

LBP-TOP (Zhao & Pietikäinen, 2007) describes a face-crop sequence by local binary pattern histograms
on Three Orthogonal Planes: XY (appearance), XT and YT (horizontal and vertical motion), each over a
spatial block grid, concatenated. The codes are computed for the whole volume at once with numpy
(eight shifted, bilinearly interpolated copies of the volume per plane, the same sampling as
``skimage.feature.local_binary_pattern``, which the tests check against), so there is no per-pixel or
per-slice Python loop.

Feature layout: ``[plane][block][bin]`` flattened, planes in the order XY, XT, YT, blocks row-major over
the grid, each block-plane histogram L1-normalised to sum 1. Only voxels whose full neighbourhood lies
inside the volume are counted (no padding artefacts at the borders).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from engine.errors import GlimpseError

PLANES = ("XY", "XT", "YT")
METHODS = ("nri_uniform", "uniform", "default")


def n_bins(points: int, method: str) -> int:
    """Histogram length per block and plane: 59 for P=8 nri_uniform (the MEGC baseline), 10 uniform."""
    if method == "nri_uniform":
        return points * (points - 1) + 3
    if method == "uniform":
        return points + 2
    if method == "default":
        return 2**points
    raise GlimpseError(f"unknown LBP method {method!r}", hint=f"use one of {', '.join(METHODS)}")


@lru_cache(maxsize=8)
def code_table(points: int, method: str) -> np.ndarray:
    """Map raw P-bit codes to histogram bins, following skimage's numbering of (nri_)uniform patterns."""
    if method == "default":
        return np.arange(2**points)
    table = np.empty(2**points, dtype=np.int64)
    for code in range(2**points):
        bits = [(code >> i) & 1 for i in range(points)]
        changes = sum(bits[i] != bits[i + 1] for i in range(points - 1))
        ones = sum(bits)
        if changes > 2:
            table[code] = points + 1 if method == "uniform" else points * (points - 1) + 2
        elif method == "uniform":
            table[code] = ones
        elif ones == 0:
            table[code] = 0
        elif ones == points:
            table[code] = points * (points - 1) + 1
        else:
            first_one = bits.index(1)
            first_zero = bits.index(0)
            rot = ones - first_zero if first_one == 0 else points - first_one
            table[code] = 1 + (ones - 1) * points + rot
    return table


def _plane_codes(
    vol: np.ndarray, row_axis: int, col_axis: int, r_row: float, r_col: float, points: int, pad: tuple
) -> np.ndarray:
    """Raw LBP codes of every interior voxel on the plane (row_axis, col_axis) of ``vol``.

    Neighbour p sits at (row, col) offset (-r_row·sin 2πp/P, r_col·cos 2πp/P), bilinearly interpolated;
    bit p is set when the neighbour is >= the centre (skimage's convention).
    """
    shape = vol.shape
    inner = tuple(slice(pad[a], shape[a] - pad[a]) for a in range(3))
    center = vol[inner]
    code_type = np.uint8 if points <= 8 else np.int64
    buf = np.empty(center.shape, dtype=np.float32)
    tmp = np.empty(center.shape, dtype=np.float32)
    codes = np.zeros(center.shape, dtype=code_type)

    def shifted(dr: int, dc: int) -> np.ndarray:
        sl = list(inner)
        sl[row_axis] = slice(pad[row_axis] + dr, shape[row_axis] - pad[row_axis] + dr)
        sl[col_axis] = slice(pad[col_axis] + dc, shape[col_axis] - pad[col_axis] + dc)
        return vol[tuple(sl)]

    for p in range(points):
        angle = 2 * np.pi * p / points
        dr = round(-r_row * np.sin(angle), 5)
        dc = round(r_col * np.cos(angle), 5)
        r0, c0 = int(np.floor(dr)), int(np.floor(dc))
        fr, fc = dr - r0, dc - c0
        terms = [
            (np.float32(wr * wc), rr, cc)
            for rr, wr in ((r0, 1 - fr), (r0 + 1, fr))
            for cc, wc in ((c0, 1 - fc), (c0 + 1, fc))
            if wr * wc > 1e-12
        ]
        if len(terms) == 1:  # an axis-aligned neighbour: no interpolation, no copy
            value = shifted(terms[0][1], terms[0][2])
        else:
            value = np.multiply(shifted(terms[0][1], terms[0][2]), terms[0][0], out=buf)
            for weight, rr, cc in terms[1:]:
                np.multiply(shifted(rr, cc), weight, out=tmp)
                value += tmp
        # tolerance: interpolating equal pixels must count as "equal", not a hair below; real differences
        # of 8-bit pixels are at least ~0.08 after interpolation, far above it
        codes |= np.left_shift((value >= center - 1e-3).astype(code_type), code_type(p))
    return codes.astype(np.int64)


def lbp_top(
    frames: np.ndarray,
    grid: tuple[int, int] = (5, 5),
    points: int = 8,
    radius: float = 1,
    time_radius: float = 1,
    method: str = "nri_uniform",
) -> np.ndarray:
    """LBP-TOP histograms of a (T, H, W) sequence → (3, gy·gx, bins) float32, each histogram sums to 1."""
    vol = np.asarray(frames)
    if vol.ndim != 3:
        raise GlimpseError(f"LBP-TOP needs a (T, H, W) grayscale sequence, got shape {vol.shape}")
    vol = vol.astype(np.float32)
    rs, rt = int(np.ceil(radius)), int(np.ceil(time_radius))
    t, h, w = vol.shape
    gy, gx = grid
    if t < 2 * rt + 1 or h - 2 * rs < gy or w - 2 * rs < gx:
        raise GlimpseError(
            f"sequence of shape {vol.shape} is too small for LBP-TOP with radius {radius}/{time_radius} "
            f"and a {gy}×{gx} grid",
            hint="use at least 3 frames and crops larger than the grid",
        )
    bins = n_bins(points, method)
    table = code_table(points, method)
    pad = (rt, rs, rs)
    ih, iw = h - 2 * rs, w - 2 * rs
    row_block = np.repeat(np.arange(gy), [len(a) for a in np.array_split(np.arange(ih), gy)])
    col_block = np.repeat(np.arange(gx), [len(a) for a in np.array_split(np.arange(iw), gx)])
    block = (row_block[:, None] * gx + col_block[None, :])[None]  # (1, ih, iw)
    out = np.empty((3, gy * gx, bins), dtype=np.float32)
    # (row axis, col axis, row radius, col radius): XY rows=y cols=x; XT rows=t cols=x; YT rows=t cols=y
    planes = ((1, 2, radius, radius), (0, 2, time_radius, radius), (0, 1, time_radius, radius))
    for k, (ra, ca, rr, rc) in enumerate(planes):
        codes = table[_plane_codes(vol, ra, ca, rr, rc, points, pad)]
        flat = np.broadcast_to(block, codes.shape) * bins + codes
        hist = np.bincount(flat.ravel(), minlength=gy * gx * bins).reshape(gy * gx, bins)
        out[k] = hist / np.maximum(hist.sum(axis=1, keepdims=True), 1)
    return out


class LBPTOPTransformer(TransformerMixin, BaseEstimator):
    """Sequences (list of (T, H, W) arrays) → LBP-TOP feature rows; stateless, so ``fit`` does nothing."""

    def __init__(
        self,
        grid: tuple[int, int] = (5, 5),
        points: int = 8,
        radius: float = 1,
        time_radius: float = 1,
        method: str = "nri_uniform",
    ) -> None:
        self.grid = grid
        self.points = points
        self.radius = radius
        self.time_radius = time_radius
        self.method = method

    def fit(self, X: Sequence[np.ndarray] | np.ndarray, y: Sequence | None = None) -> LBPTOPTransformer:
        return self

    def transform(self, X: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
        return np.stack(
            [
                lbp_top(x, _grid(self.grid), self.points, self.radius, self.time_radius, self.method).ravel()
                for x in X
            ]
        )


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class LBPTOPSVM(ClassifierMixin, BaseEstimator):
    """LBP-TOP → standardise → linear SVM (the MEGC 2019 baseline) over face-crop sequences.

    With ``precomputed=True`` X is already a feature matrix (rows of ``LBPTOPTransformer``), so LOSO
    folds reuse features computed once per clip instead of recomputing them per fold.
    ``predict_proba`` is a softmax of the SVM margins: a ranking score for plots, not a calibrated
    probability.
    """

    def __init__(
        self,
        grid: tuple[int, int] = (5, 5),
        points: int = 8,
        radius: float = 1,
        time_radius: float = 1,
        method: str = "nri_uniform",
        C: float = 1.0,
        class_weight: str | None = "balanced",
        max_iter: int = 5000,
        random_state: int = 0,
        precomputed: bool = False,
    ) -> None:
        self.grid = grid
        self.points = points
        self.radius = radius
        self.time_radius = time_radius
        self.method = method
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.random_state = random_state
        self.precomputed = precomputed

    def _features(self, X: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
        if self.precomputed:
            return np.asarray(X, dtype=np.float64)
        transformer = LBPTOPTransformer(self.grid, self.points, self.radius, self.time_radius, self.method)
        return transformer.transform(X)

    def fit(self, X: Sequence[np.ndarray] | np.ndarray, y: Sequence | np.ndarray) -> LBPTOPSVM:
        labels = np.asarray(y)
        self.classes_ = np.unique(labels)
        if len(self.classes_) < 2:
            raise GlimpseError(
                f"LBP-TOP SVM needs at least 2 classes to train, got {list(self.classes_)}",
                hint="the training subjects of this fold cover only one class",
            )
        svm = LinearSVC(
            C=self.C, class_weight=self.class_weight, max_iter=self.max_iter, random_state=self.random_state
        )
        self.pipeline_ = Pipeline([("scale", StandardScaler()), ("svm", clone(svm))])
        self.pipeline_.fit(self._features(X), labels)
        return self

    def decision_function(self, X: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
        scores = self.pipeline_.decision_function(self._features(X))
        if scores.ndim == 1:  # binary: sklearn gives the positive-class margin only
            scores = np.stack([-scores, scores], axis=1)
        return scores

    def predict(self, X: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
        return self.classes_[np.argmax(self.decision_function(X), axis=1)]

    def predict_proba(self, X: Sequence[np.ndarray] | np.ndarray) -> np.ndarray:
        return _softmax(self.decision_function(X))


def _grid(grid: Sequence[int]) -> tuple[int, int]:
    """A (rows, cols) block grid from any two numbers (JSON gives lists)."""
    rows, cols = (int(g) for g in grid)
    return rows, cols
