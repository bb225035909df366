"""Motion magnification for the player: a window of a clip's magnified face crops, in the same form as
the player's crop windows (``FrameWindow`` of PNG data URLs), made once per clip and setting and cached
on disk (``engine.preprocess.magnify_cache``; the method in ``engine.preprocess.magnify``)."""

from __future__ import annotations

from engine.annotate.player import CROPS_MAX_FRAMES, FrameWindow, crop_window
from engine.api.session import get_clip, get_session
from engine.errors import GlimpseError
from engine.preprocess.magnify import METHODS, MagnifyConfig
from engine.preprocess.magnify_cache import magnified_crops

__all__ = ["MAGNIFY_METHODS", "MagnifyConfig", "magnified_window"]

MAGNIFY_METHODS = METHODS


def magnified_window(
    clip_id: int,
    start: int,
    count: int,
    *,
    gain: float = MagnifyConfig.gain,
    f_lo: float = MagnifyConfig.f_lo,
    f_hi: float = MagnifyConfig.f_hi,
    method: str = MagnifyConfig.method,
) -> FrameWindow:
    """Frames ``start .. start+count-1`` (0-based positions) of the clip's face crops with the motion in
    [f_lo, f_hi] Hz (at the clip's fps) multiplied by ``gain``; ``method`` "linear" or "phase".

    The whole clip is magnified on the first call for a setting (the temporal filter needs every frame)
    and read from the cache after. Recordings longer than ``CROPS_MAX_FRAMES`` are refused, as for crops.
    A setting the clip cannot take (band above half the fps, gain outside 1..100) is a GlimpseError.
    """
    with get_session() as session:
        clip = get_clip(session, clip_id)
        if clip.n_frames > CROPS_MAX_FRAMES:
            raise GlimpseError(
                f"clip {clip_id} has {clip.n_frames} frames; magnification works on face crops of clips "
                f"up to {CROPS_MAX_FRAMES}",
                hint="magnify a coded interval of the recording instead",
            )
        cfg = MagnifyConfig(method=method, gain=float(gain), f_lo=float(f_lo), f_hi=float(f_hi))
        magnified = magnified_crops(session, int(clip_id), cfg)
    return crop_window(magnified.frames, magnified.frame_numbers, start, count)
