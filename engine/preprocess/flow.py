"""Onset→apex optical flow and optical strain of aligned crops, for the flow baselines (cached like crops)."""

from __future__ import annotations

import hashlib

import cv2
import numpy as np
from sqlalchemy.orm import Session

from db.schema import Clip
from engine.errors import GlimpseError
from engine.preprocess.cache import cache_path, clip_crops, load_array, save_array
from engine.preprocess.config import PreprocessConfig

FLOW_METHODS = ("farneback", "tvl1")


def has_tvl1() -> bool:
    return hasattr(cv2, "optflow") and hasattr(cv2.optflow, "DualTVL1OpticalFlow_create")


def optical_strain(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """|ε| = sqrt(εxx² + εyy² + 2·εxy²), the usual ME strain magnitude (Liong et al.)."""
    du_dy, du_dx = np.gradient(u)
    dv_dy, dv_dx = np.gradient(v)
    exy = 0.5 * (du_dy + dv_dx)
    return np.sqrt(du_dx**2 + dv_dy**2 + 2.0 * exy**2).astype(np.float32)


def onset_apex_flow(onset: np.ndarray, apex: np.ndarray, method: str = "farneback") -> np.ndarray:
    """(3, H, W) float32: horizontal flow u, vertical flow v (pixels, onset→apex), strain magnitude."""
    if method not in FLOW_METHODS:
        raise GlimpseError(f"unknown flow method {method!r}", hint="use 'farneback' or 'tvl1'")
    if onset.shape != apex.shape or onset.ndim != 2:
        raise GlimpseError("onset and apex must be grayscale images of the same size")
    a, b = onset.astype(np.uint8), apex.astype(np.uint8)
    if method == "tvl1":
        if not has_tvl1():
            raise GlimpseError("TV-L1 flow needs opencv-contrib (cv2.optflow)", hint="use method='farneback'")
        tvl1 = cv2.optflow.DualTVL1OpticalFlow_create()  # type: ignore[attr-defined]  # contrib: not in the stubs
        flow = tvl1.calc(a, b, None)
    else:
        levels = 3 if min(a.shape) >= 48 else 2
        start = np.zeros((*a.shape, 2), np.float32)  # ignored: flags=0 computes the flow from scratch
        flow = cv2.calcOpticalFlowFarneback(a, b, start, 0.5, levels, 9, 5, 5, 1.1, 0)
    u, v = flow[..., 0].astype(np.float32), flow[..., 1].astype(np.float32)
    return np.stack([u, v, optical_strain(u, v)]).astype(np.float32)


def resize_flow(flow: np.ndarray, size: int) -> np.ndarray:
    """Downscale a (3, H, W) flow; vectors and strain are rescaled so they stay in output pixels."""
    h, w = flow.shape[1:]
    sx, sy = size / w, size / h
    u = cv2.resize(flow[0], (size, size), interpolation=cv2.INTER_AREA) * sx
    v = cv2.resize(flow[1], (size, size), interpolation=cv2.INTER_AREA) * sy
    return np.stack([u, v, optical_strain(u, v)]).astype(np.float32)


def clip_flow(
    session: Session,
    clip_id: int,
    cfg: PreprocessConfig = PreprocessConfig(),
    size: int = 28,
    method: str = "farneback",
) -> np.ndarray:
    """(3, size, size) onset→apex flow of a clip's aligned crops; apex = the coded one, else the middle."""
    clip = session.get(Clip, clip_id)
    if clip is None:
        raise GlimpseError(f"clip {clip_id} is not in the catalog")
    crops = clip_crops(session, clip_id, cfg, span="onset_offset")
    numbers = crops.frame_numbers
    apex_at = numbers.index(clip.apex) if clip.apex in numbers else len(numbers) // 2
    key = hashlib.sha256(f"{crops.cache_key}|flow|{method}|{size}|{apex_at}".encode()).hexdigest()
    path = cache_path(key, kind="flow")
    cached = load_array(path) if path.is_file() else None
    if cached is not None and cached.shape == (3, size, size):
        return cached
    flow = onset_apex_flow(crops.frames[0], crops.frames[apex_at], method)
    out = resize_flow(flow, size) if flow.shape[1:] != (size, size) else flow
    save_array(path, out)
    return out
