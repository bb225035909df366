"""The knobs of the synthetic FACS corpus: sizes, intensities and the distractors real data has.

Defaults mirror CASME II (26 subjects, ~150 ME clips in its class proportions, 200 fps) at a frame
size small enough to generate on a laptop in well under two minutes; ``tiny()`` is for tests.
"""

from __future__ import annotations

import dataclasses
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
    # --- long videos for spotting: CAS(ME)² layout at 30 fps and SAMM-LV-like at 200 fps ---
    long_subjects: int = 4  # per layout; 0 = no long videos
    long_videos_per_subject: int = 2
    long_frames_30fps: tuple[int, int] = (600, 1200)  # 20–40 s
    long_frames_200fps: tuple[int, int] = (1300, 1600)  # 6.5–8 s
    long_micro: tuple[int, int] = (2, 3)  # MEs per video
    long_macro: tuple[int, int] = (1, 2)  # macro-expressions per video
    long_me_s: tuple[float, float] = (0.2, 0.5)  # ME onset -> offset
    long_macro_s: tuple[float, float] = (0.7, 1.5)  # macro onset -> offset (always longer than any ME)
    long_talk_s: tuple[float, float] = (1.0, 2.0)  # a talking-like mouth stretch (distractor)
    long_gap_s: float = 0.3  # at least this much neutral face between two events
    long_blinks_per_s: float = 0.3  # people blink ~15-20 times a minute
    long_apex_unknown_prob: float = 0.15  # CAS(ME)² rows whose apex is coded 0 (unknown)
    long_frame_size: int = 112

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
            long_subjects=0,  # tiny_long() switches them on
            long_videos_per_subject=1,
            long_frames_30fps=(120, 140),
            long_frames_200fps=(560, 600),
            long_micro=(2, 2),
            long_macro=(1, 1),
            long_me_s=(0.1, 0.2),
            long_macro_s=(0.6, 0.8),
            long_talk_s=(0.4, 0.6),
            long_gap_s=0.2,
            long_frame_size=64,
        )

    @classmethod
    def tiny_long(cls, seed: int = 0) -> SynthConfig:
        """The tiny corpus plus tiny long videos (3 subjects, one video each per layout) for spotting tests;
        kept apart from ``tiny()`` so tests that need no long video do not pay for rendering them."""
        return dataclasses.replace(cls.tiny(seed), long_subjects=3)
