"""The documentation figures: sample faces, ME apex-onset differences, CK+ neutral vs peak.

Run ``python -m engine.synth.figures [OUT_DIR]`` (default ``docs/images``). Frames come from the same
planner and renderer as the corpus, so the figures show what the corpus really contains.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import cv2
import numpy as np

from engine.labels import CASME2_5_CLASSES
from engine.synth.config import SynthConfig
from engine.synth.plan import (
    MacroSequence,
    MEClip,
    macro_identities,
    macro_identity_index,
    me_identities,
    plan_macro_sequences,
    plan_me_clips,
)
from engine.synth.write import render_face_image, render_macro_sequence, render_me_clip

DIFF_GAIN = 6.0  # the same amplification for ME and macro differences, so they compare honestly
_PNG = [cv2.IMWRITE_PNG_COMPRESSION, 9]


def _label(img: np.ndarray, text: str) -> np.ndarray:
    """A caption strip above an image."""
    strip = np.full((18, img.shape[1], 3), 255, np.uint8)
    cv2.putText(strip, text, (3, 13), cv2.FONT_HERSHEY_SIMPLEX, 0.38, (0, 0, 0), 1, cv2.LINE_AA)
    return np.concatenate([strip, img], axis=0)


def _bgr(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR) if img.ndim == 2 else img


def difference_image(onset: np.ndarray, apex: np.ndarray, gain: float = DIFF_GAIN) -> np.ndarray:
    """|apex - onset| amplified, as a heat map (black = no change)."""
    a = cv2.cvtColor(_bgr(apex), cv2.COLOR_BGR2GRAY).astype(np.float32)
    o = cv2.cvtColor(_bgr(onset), cv2.COLOR_BGR2GRAY).astype(np.float32)
    diff = np.clip(np.abs(a - o) * gain, 0, 255).astype(np.uint8)
    return cv2.applyColorMap(diff, cv2.COLORMAP_INFERNO)


def _grid(rows: list[list[np.ndarray]], scale: int = 1) -> np.ndarray:
    pad = 4
    out_rows = []
    for row in rows:
        cells = []
        for cell in row:
            big = (
                cv2.resize(cell, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
                if scale != 1
                else cell
            )
            cells.append(np.pad(big, ((pad, pad), (pad, pad), (0, 0)), constant_values=255))
        out_rows.append(np.concatenate(cells, axis=1))
    return np.concatenate(out_rows, axis=0)


def _pick_clips(cfg: SynthConfig) -> dict[str, MEClip]:
    """One blink-free, whole-face clip per class (falls back to any clip of the class)."""
    clips = plan_me_clips(cfg)
    chosen = {}
    for emotion in CASME2_5_CLASSES:
        mine = [c for c in clips if c.emotion == emotion]
        clean = [c for c in mine if not c.blinks and c.partial is None] or mine
        if clean:
            chosen[emotion] = clean[0]
    return chosen


def make_figures(out_dir: Path, cfg: SynthConfig = SynthConfig()) -> list[Path]:
    """Write synth_samples.png, synth_me_difference.png and synth_macro.png; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    # head drift off: the difference images should show the expression, not the slow head motion
    # 160-px frames shown 1:1 keep the PNGs small enough for the repository
    cfg = dataclasses.replace(cfg, drift_px=0.0, drift_deg=0.0, frame_size=160)
    ids = me_identities(cfg)
    chosen = _pick_clips(cfg)

    rows: list[list[np.ndarray]] = []
    for emotion, clip in chosen.items():
        frames = render_me_clip(clip, ids[clip.subject - 1], cfg)
        onset = frames[clip.onset - clip.first_frame][0]
        apex = frames[clip.apex - clip.first_frame][0]
        caption = f"{emotion} {clip.action_units}"
        rows.append(
            [
                _label(onset, caption[:24]),
                _label(apex, "ME apex"),
                _label(difference_image(onset, apex), f"|apex-onset| x{DIFF_GAIN:g}"),
            ]
        )
    me_path = out_dir / "synth_me_difference.png"
    cv2.imwrite(str(me_path), _grid(rows), _PNG)

    seqs = [s for s in plan_macro_sequences(cfg) if s.code is not None]
    by_emotion: dict[str, MacroSequence] = {}
    for s in seqs:
        by_emotion.setdefault(s.emotion, s)
    macro_ids = macro_identities(cfg)
    rows = []  # a fresh grid (the previous figure is written)
    for emotion in ("happiness", "surprise", "disgust", "sadness", "anger"):
        seq = by_emotion.get(emotion)
        if seq is None:
            continue
        frames = render_macro_sequence(seq, macro_ids[macro_identity_index(cfg, seq.subject)], cfg)
        neutral, peak = _bgr(frames[0][0]), _bgr(frames[-1][0])
        rows.append(
            [
                _label(neutral, f"{emotion} neutral"),
                _label(peak, f"peak (code {seq.code})"),
                _label(difference_image(neutral, peak), f"|peak-neutral| x{DIFF_GAIN:g}"),
            ]
        )
    macro_path = out_dir / "synth_macro.png"
    cv2.imwrite(str(macro_path), _grid(rows), _PNG)

    clips = plan_me_clips(cfg)
    rows = [[], []]
    seen: set[int] = set()
    for clip in clips:
        if clip.subject in seen or len(seen) == 6:
            continue
        seen.add(clip.subject)
        frames = render_me_clip(clip, ids[clip.subject - 1], cfg)
        rows[0].append(_label(frames[0][0], f"sub{clip.subject:02d} neutral"))
        rows[1].append(_label(frames[clip.apex - clip.first_frame][0], f"ME apex {clip.emotion}"[:22]))
    rows.append([_label(render_face_image(cfg, k)[0], f"faces/ image {k + 1}") for k in range(6)])
    samples_path = out_dir / "synth_samples.png"
    cv2.imwrite(str(samples_path), _grid(rows), _PNG)
    return [samples_path, me_path, macro_path]


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/images")
    for path in make_figures(out):
        print(path)


if __name__ == "__main__":
    main()
