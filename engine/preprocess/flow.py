"""Optical flow and optical strain of aligned crops, as the ME field computes them (cached like crops).

Two methods, registered by name (``@register_flow_method``): OpenCV's Farnebäck (fast, dense polynomial
expansion) and TV-L1 (Zach et al. 2007) from scikit-image — what STSTNet, Off-ApexNet, HTNet and
CausalNet feed their networks (they use OpenCV-contrib's DualTVL1; opencv-contrib is not a Glimpse
dependency, scikit-image already is). Both return forward flow: the onset pixel at x moves to x + (u, v)
in the apex frame. Pairs: onset→apex (the usual input) and apex→offset.
"""

from __future__ import annotations

import hashlib

import cv2
import numpy as np
from skimage.registration import optical_flow_tvl1
from sqlalchemy.orm import Session

from db.schema import Clip
from engine.errors import GlimpseError
from engine.preprocess.cache import cache_path, clip_crops, load_array, save_array
from engine.preprocess.config import PreprocessConfig
from engine.preprocess.registry import get_flow_method, register_flow_method

PAIRS = ("onset_apex", "apex_offset")


@register_flow_method("farneback")
def farneback(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    levels = 3 if min(a.shape) >= 48 else 2
    start = np.zeros((*a.shape, 2), np.float32)  # ignored: flags=0 computes the flow from scratch
    return np.asarray(cv2.calcOpticalFlowFarneback(a, b, start, 0.5, levels, 9, 5, 5, 1.1, 0))


@register_flow_method("tvl1")
def tvl1(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """scikit-image's TV-L1 (its defaults: λ = 15, θ = 0.3, 5 warps, 10 iterations per warp)."""
    rows, cols = optical_flow_tvl1(a.astype(np.float32) / 255.0, b.astype(np.float32) / 255.0)
    return np.stack([cols, rows], axis=-1).astype(np.float32)


def optical_strain(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """|ε| = sqrt(εxx² + εyy² + 2·εxy²), the usual ME strain magnitude (Liong et al.)."""
    du_dy, du_dx = np.gradient(u)
    dv_dy, dv_dx = np.gradient(v)
    exy = 0.5 * (du_dy + dv_dx)
    return np.sqrt(du_dx**2 + dv_dy**2 + 2.0 * exy**2).astype(np.float32)


def pair_flow(first: np.ndarray, second: np.ndarray, method: str = "farneback") -> np.ndarray:
    """(3, H, W) float32: horizontal flow u, vertical flow v (pixels, first→second), strain magnitude."""
    fn = get_flow_method(method)
    if first.shape != second.shape or first.ndim != 2:
        raise GlimpseError("the two frames must be grayscale images of the same size")
    flow = fn(first.astype(np.uint8), second.astype(np.uint8))
    u, v = flow[..., 0].astype(np.float32), flow[..., 1].astype(np.float32)
    return np.stack([u, v, optical_strain(u, v)]).astype(np.float32)


def onset_apex_flow(onset: np.ndarray, apex: np.ndarray, method: str = "farneback") -> np.ndarray:
    """(3, H, W) float32: u, v (pixels, onset→apex) and strain; see ``pair_flow``."""
    return pair_flow(onset, apex, method)


def normalise_channels(flow: np.ndarray) -> np.ndarray:
    """Each channel min–max scaled to [0, 1] on its own (how STSTNet-style inputs are saved as images).

    A flat channel (no motion) becomes all zeros rather than dividing by zero.
    """
    out = np.zeros_like(flow, dtype=np.float32)
    for c in range(flow.shape[0]):
        lo, hi = float(flow[c].min()), float(flow[c].max())
        if hi - lo > 1e-12:
            out[c] = (flow[c] - lo) / (hi - lo)
    return out


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
    pair: str = "onset_apex",
) -> np.ndarray:
    """(3, size, size) flow of a clip's aligned crops, onset→apex or apex→offset (cached on disk).

    Apex = the coded one, else the middle frame; onset/offset = the first/last coded frame.
    """
    if pair not in PAIRS:
        raise GlimpseError(f"unknown frame pair {pair!r}", hint=f"use one of {', '.join(PAIRS)}")
    clip = session.get(Clip, clip_id)
    if clip is None:
        raise GlimpseError(f"clip {clip_id} is not in the catalog")
    crops = clip_crops(session, clip_id, cfg, span="onset_offset")
    numbers = crops.frame_numbers
    apex_at = numbers.index(clip.apex) if clip.apex in numbers else len(numbers) // 2
    first, second = (0, apex_at) if pair == "onset_apex" else (apex_at, len(numbers) - 1)
    for at in (first, second):
        if numbers[at] in crops.no_face_frames:
            raise GlimpseError(
                f"no face in frame {numbers[at]}: no {pair.replace('_', '→')} flow",
                where=f"clip {clip.name}",
                hint="see `glimpse preprocess --json` for the frames without a face",
            )
    key = hashlib.sha256(f"{crops.cache_key}|flow|{method}|{size}|{first}|{second}".encode()).hexdigest()
    path = cache_path(key, kind="flow")
    cached = load_array(path) if path.is_file() else None
    if cached is not None and cached.shape == (3, size, size):
        return cached
    flow = pair_flow(crops.frames[first], crops.frames[second], method)
    out = resize_flow(flow, size) if flow.shape[1:] != (size, size) else flow
    save_array(path, out)
    return out
