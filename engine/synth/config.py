"""The knobs of the synthetic FACS corpus: sizes, intensities and the distractors real data has.

Defaults mirror CASME II (26 subjects, ~150 ME clips in its class proportions, 200 fps) at a frame
size small enough to generate on a laptop in well under two minutes; ``tiny()`` is for tests.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SynthConfig:
    """Everything that decides the corpus; the same config and seed give the same bytes."""

    seed: int = 0
    # --- ME clips (CASME II layout) ---
    n_subjects: int = 26
    n_me_clips: int = 150
    # explicit (emotion, count) pairs; None = CASME II proportions scaled to n_me_clips
    emotion_counts: tuple[tuple[str, int], ...] | None = None
    fps: float = 200.0
    me_duration_s: tuple[float, float] = (0.2, 0.5)  # onset -> offset
    neutral_pad_frames: tuple[int, int] = (6, 20)  # neutral frames before onset / after offset
    me_intensity: float = 0.3  # ME apex as a fraction of the macro apex
    me_intensity_jitter: float = 0.15  # +- relative spread of the ME apex between clips
    partial_prob: float = 0.5  # ME shows only the upper or only the lower half of its prototype
    unilateral_prob: float = 0.15  # one AU of the ME acts on one side only (coded L/R, e.g. 4+L10)
    # --- macro sequences (CK+ layout) ---
    n_macro_subjects: int = 30
    n_macro_sequences: int = 120
    macro_frames: tuple[int, int] = (10, 18)
    labelled_fraction: float = 0.55  # CK+ labels 327 of its 593 sequences
    # --- still faces (stage-1 reconstruction) ---
    n_face_images: int = 600
    # --- rendering and distractors ---
    frame_size: int = 128
    blink_prob: float = 0.35  # chance a clip contains one blink
    blink_s: float = 0.12
    drift_px: float = 0.8  # slow head drift amplitude (pixels) within a clip
    drift_deg: float = 0.4  # slow in-plane head rotation amplitude (degrees)
    flicker: float = 0.01  # relative illumination flicker amplitude
    noise_sigma: float = 1.5  # sensor noise (grey levels, std)
    jpeg_quality: int = 90
    workers: int = 2  # process pool size; 1 renders in-process

    @classmethod
    def tiny(cls, seed: int = 0) -> SynthConfig:
        """A corpus for tests: every 3-class label twice over >= 2 subjects, generated in seconds."""
        return cls(
            seed=seed,
            n_subjects=4,
            n_me_clips=12,
            emotion_counts=(
                ("happiness", 3),
                ("surprise", 2),
                ("disgust", 2),
                ("repression", 2),
                ("others", 2),
                ("fear", 1),
            ),
            me_duration_s=(0.05, 0.08),
            neutral_pad_frames=(4, 6),
            n_macro_subjects=3,
            n_macro_sequences=6,
            macro_frames=(6, 8),
            labelled_fraction=0.67,
            n_face_images=20,
            frame_size=96,
            workers=1,
        )
