"""The one line under a clip's name: its coding as far as it has one — never "label None" or "onset
None" (a recording is coded as intervals and has neither; a clip may lack some marks; a blind coder is told
the coding is hidden, not that there is none)."""

from __future__ import annotations

from engine import api


def clip_caption(detail: api.ClipDetail, n_frames: int) -> str:
    rate = f"{n_frames:,} frames @ {detail.fps:g} fps" if detail.fps else f"{n_frames:,} frames (fps unknown)"
    if detail.is_recording:
        return f"long recording, coded as intervals (no single label or onset) · {rate}"
    if detail.coding_hidden:
        return f"the release's coding is hidden while your assignment is blind — code what you see · {rate}"
    parts = [
        (f"label **{detail.label}**" + (f" ({detail.emotion})" if detail.emotion else ""))
        if detail.label
        else "no label" + (f" (emotion {detail.emotion})" if detail.emotion else "")
    ]
    if detail.action_units:
        parts.append(f"AUs {detail.action_units}")
    marks = [
        f"{name} {value}" + (" (est.)" if name == "apex" and detail.apex_estimated else "")
        for name, value in detail.marks.items()
        if value is not None
    ]
    parts.append("coded " + " · ".join(marks) if marks else "no onset, apex or offset coded")
    return " · ".join([*parts, rate])
