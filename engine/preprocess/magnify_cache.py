"""Magnified face crops of a catalog clip, content-addressed on disk like the crops they are made from.

The key hashes the crops' own content key (every frame file, the backend, the crop config), the clip's
frame rate and every magnification parameter, so a new gain or band is a new entry and asking again is
a read of one .npy (no pyramid, no FFT). Nothing goes into the catalog: the entry is derived data that
can be remade, like the crops' in-process memo.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from db.schema import Clip
from engine.errors import GlimpseError
from engine.preprocess.cache import cache_path, clip_crops, load_array, save_array
from engine.preprocess.config import PreprocessConfig
from engine.preprocess.magnify import MagnifyConfig, magnify

MAGNIFY_VERSION = 1  # bump when the algorithm's output changes: old entries are then never read


@dataclass(frozen=True)
class MagnifiedCrops:
    frames: np.ndarray  # uint8 (T, size, size)
    frame_numbers: list[int]
    fps: float
    cache_key: str
    hit: bool


def magnified_key(crops_key: str, fps: float, cfg: MagnifyConfig) -> str:
    params = json.dumps(cfg.params(), sort_keys=True)
    return hashlib.sha256(f"{crops_key}|{fps!r}|{params}|v{MAGNIFY_VERSION}".encode()).hexdigest()


def magnified_crops(
    session: Session, clip_id: int, cfg: MagnifyConfig, crop_cfg: PreprocessConfig = PreprocessConfig()
) -> MagnifiedCrops:
    """The clip's face crops magnified as ``cfg`` says (the band in Hz at the clip's fps), cached."""
    clip = session.get(Clip, int(clip_id))
    if clip is None:
        raise GlimpseError(f"clip {clip_id} is not in the catalog")
    fps = float(clip.fps or 0.0)
    try:
        cfg.check(fps)
    except GlimpseError as error:
        raise GlimpseError(error.message, where=f"clip {clip.name}", hint=error.hint) from None
    crops = clip_crops(session, int(clip_id), crop_cfg)
    key = magnified_key(crops.cache_key, fps, cfg)
    path = cache_path(key, kind="magnified")
    frames = load_array(path) if path.is_file() else None
    hit = frames is not None and frames.shape == crops.frames.shape and frames.dtype == np.uint8
    if not hit:
        frames = magnify(crops.frames, fps, cfg)
        save_array(path, frames)
    assert frames is not None
    return MagnifiedCrops(frames, list(crops.frame_numbers), fps, key, hit)
