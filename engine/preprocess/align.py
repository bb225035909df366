"""Similarity alignment: eyes level, a fixed inter-ocular distance, one warp to a size×size grayscale crop."""

from __future__ import annotations

import cv2
import numpy as np


def eye_targets(
    size: int, eye_distance: float, eye_y: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Where the (image-left, image-right) eye centres land in the crop."""
    half = eye_distance * size / 2.0
    centre, y = size / 2.0, eye_y * size
    return (centre - half, y), (centre + half, y)


def similarity_matrix(
    left_eye: tuple[float, float],
    right_eye: tuple[float, float],
    size: int,
    eye_distance: float = 0.42,
    eye_y: float = 0.38,
) -> np.ndarray:
    """The 2×3 rotation+scale+translation mapping both eye centres exactly onto their targets.

    Two point pairs fix a similarity; written as z' = a·z + b on complex numbers it needs no solver.
    """
    src_l, src_r = complex(*left_eye), complex(*right_eye)
    if abs(src_r - src_l) < 1e-6:
        raise ValueError("eye centres coincide")
    dst_l, dst_r = (complex(*p) for p in eye_targets(size, eye_distance, eye_y))
    a = (dst_r - dst_l) / (src_r - src_l)
    b = dst_l - a * src_l
    return np.array([[a.real, -a.imag, b.real], [a.imag, a.real, b.imag]], dtype=np.float64)


def shift_matrix(matrix: np.ndarray, dx: float, dy: float) -> np.ndarray:
    """The same alignment for a face that moved by (dx, dy) image pixels."""
    out = matrix.copy()
    out[:, 2] -= matrix[:, :2] @ np.array([dx, dy])
    return out


def transform_points(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return pts @ matrix[:, :2].T + matrix[:, 2]


def warp(gray: np.ndarray, matrix: np.ndarray, size: int) -> np.ndarray:
    """The aligned size×size crop (uint8).

    When shrinking by a factor f, only the face region is low-passed first, with σ = 0.5·sqrt(f² - 1)
    (the blur that makes the output's own blur about half an output pixel): without it bilinear sampling
    aliases differently at each sub-pixel offset and a tracked, still face flickers by a grey level or so.
    """
    scale = float(np.hypot(matrix[0, 0], matrix[1, 0]))
    sigma = 0.5 * np.sqrt(max(0.0, 1.0 / scale**2 - 1.0)) if scale > 0 else 0.0
    if sigma > 0.2:
        inverse = cv2.invertAffineTransform(matrix)
        corners = np.array([[0, 0], [size, 0], [0, size], [size, size]], dtype=np.float64)
        src = corners @ inverse[:, :2].T + inverse[:, 2]
        pad = int(np.ceil(3 * sigma)) + 2
        h, w = gray.shape[:2]
        x0, y0 = (max(0, int(np.floor(v)) - pad) for v in src.min(axis=0))
        x1, y1 = (int(np.ceil(v)) + pad for v in src.max(axis=0))
        x1, y1 = min(w, x1), min(h, y1)
        if x1 > x0 and y1 > y0:
            roi = cv2.GaussianBlur(gray[y0:y1, x0:x1], (0, 0), sigma, borderType=cv2.BORDER_REPLICATE)
            gray, matrix = roi, shift_matrix(matrix, -x0, -y0)
    return cv2.warpAffine(gray, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def align_face(
    gray: np.ndarray,
    left_eye: tuple[float, float],
    right_eye: tuple[float, float],
    size: int = 64,
    eye_distance: float = 0.42,
    eye_y: float = 0.38,
) -> np.ndarray:
    return warp(gray, similarity_matrix(left_eye, right_eye, size, eye_distance, eye_y), size)
