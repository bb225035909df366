"""Decide the whole corpus (who, which emotion, which frames, which AUs) before drawing anything.

Planning is cheap and sequential, so the corpus is identical whatever the worker count: every clip
carries its own seed and renders independently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.errors import GlimpseError
from engine.synth.action_units import format_au_code
from engine.synth.config import SynthConfig
from engine.synth.emotions import (
    CKPLUS_CODES,
    CKPLUS_COUNTS,
    PROTOTYPES,
    emotion_plan,
    macro_action_units,
    me_action_units,
)
from engine.synth.identity import Identity, sample_identity

# seed streams: one per kind of thing, so adding faces does not change the clips
_PLAN, _ME_ID, _MACRO_ID, _FACE, _CLIP, _SEQ = range(6)


@dataclass(frozen=True)
class MEClip:
    """Ground truth of one ME clip, exactly as written to the coding .xlsx (frame numbers)."""

    subject: int
    filename: str
    first_frame: int
    last_frame: int
    onset: int
    apex: int
    offset: int
    action_units: str
    emotion: str
    partial: str | None  # "upper" / "lower" when only half the prototype shows
    apex_intensity: float  # fraction of a macro apex
    blinks: tuple[tuple[int, int], ...] = ()  # (first, last) frame numbers of each blink
    aus: dict[str, float] = field(default_factory=dict, compare=False)
    seed: int = 0

    @property
    def subject_dir(self) -> str:
        return f"sub{self.subject:02d}"


@dataclass(frozen=True)
class MacroSequence:
    """One CK+ sequence: ``code`` is the written label (None = unlabelled), ``emotion`` what it shows."""

    subject: str  # "S005"
    sequence: str  # "001"
    n_frames: int
    emotion: str
    code: int | None
    intensity: float
    aus: dict[str, float] = field(default_factory=dict, compare=False)
    seed: int = 0


def validate(cfg: SynthConfig) -> None:
    """Refuse configs that cannot make a corpus, before anything is written."""
    problems = []
    if cfg.n_subjects < 1 or cfg.n_me_clips < 0 or cfg.n_macro_subjects < 1 or cfg.n_macro_sequences < 0:
        problems.append("subject and clip counts must be positive")
    if cfg.frame_size < 48:
        problems.append("frame_size must be at least 48 pixels")
    if not 0 < cfg.me_intensity <= 1:
        problems.append("me_intensity must be in (0, 1]")
    if cfg.emotion_counts:
        unknown = [e for e, _ in cfg.emotion_counts if e not in PROTOTYPES]
        if unknown:
            problems.append(f"unknown emotions {unknown}; use {sorted(PROTOTYPES)}")
        if sum(n for _, n in cfg.emotion_counts) != cfg.n_me_clips:
            problems.append("emotion_counts must add up to n_me_clips")
    if cfg.macro_frames[0] < 3:
        problems.append("macro sequences need at least 3 frames")
    if problems:
        raise GlimpseError("invalid synthetic corpus config: " + "; ".join(problems), hint="fix the settings")


def me_identities(cfg: SynthConfig) -> list[Identity]:
    return [sample_identity(np.random.default_rng([cfg.seed, _ME_ID, s])) for s in range(cfg.n_subjects)]


def macro_identities(cfg: SynthConfig) -> list[Identity]:
    return [
        sample_identity(np.random.default_rng([cfg.seed, _MACRO_ID, s])) for s in range(cfg.n_macro_subjects)
    ]


def face_rng(cfg: SynthConfig, index: int) -> np.random.Generator:
    return np.random.default_rng([cfg.seed, _FACE, index])


def plan_me_clips(cfg: SynthConfig) -> list[MEClip]:
    """CASME II-like clips: emotions dealt round-robin over a shuffled subject order."""
    rng = np.random.default_rng([cfg.seed, _PLAN, 1])
    counts = dict(cfg.emotion_counts) if cfg.emotion_counts else None
    emotions = emotion_plan(cfg.n_me_clips, counts)
    order = rng.permutation(cfg.n_subjects) + 1
    used: set[tuple[int, str]] = set()
    clips = []
    for i, emotion in enumerate(emotions):
        subject = int(order[i % cfg.n_subjects])
        while True:
            episode, take = int(rng.integers(1, 20)), int(rng.integers(1, 10))
            name = f"EP{episode:02d}_{take:02d}{'f' if rng.random() < 0.8 else ''}"
            if (subject, name) not in used:
                used.add((subject, name))
                break
        duration = max(4, int(round(rng.uniform(*cfg.me_duration_s) * cfg.fps)))
        pre = int(rng.integers(cfg.neutral_pad_frames[0], cfg.neutral_pad_frames[1] + 1))
        post = int(rng.integers(cfg.neutral_pad_frames[0], cfg.neutral_pad_frames[1] + 1))
        first = int(rng.integers(1, 300))
        onset = first + pre
        offset = onset + duration
        apex = onset + max(1, int(round(rng.uniform(0.3, 0.55) * duration)))
        last = offset + post
        aus, half = me_action_units(emotion, rng, cfg.partial_prob, cfg.unilateral_prob)
        intensity = cfg.me_intensity * rng.uniform(1 - cfg.me_intensity_jitter, 1 + cfg.me_intensity_jitter)
        blinks: tuple[tuple[int, int], ...] = ()
        n_frames = last - first + 1
        if rng.random() < cfg.blink_prob:
            length = min(max(4, int(round(cfg.blink_s * cfg.fps))), n_frames // 2)
            start = first + int(rng.integers(0, n_frames - length + 1))
            blinks = ((start, start + length - 1),)
        clips.append(
            MEClip(
                subject=subject,
                filename=name,
                first_frame=first,
                last_frame=last,
                onset=onset,
                apex=apex,
                offset=offset,
                action_units=format_au_code(aus),
                emotion=emotion,
                partial=half,
                apex_intensity=round(float(intensity), 4),
                blinks=blinks,
                aus=aus,
                seed=int(rng.integers(2**31 - 1)),
            )
        )
    return sorted(clips, key=lambda c: (c.subject, c.filename))


def plan_macro_sequences(cfg: SynthConfig) -> list[MacroSequence]:
    """CK+-like posed sequences; a share of them get no Emotion file, as in CK+."""
    rng = np.random.default_rng([cfg.seed, _PLAN, 2])
    subject_ids = sorted(int(s) for s in rng.choice(np.arange(5, 1000), cfg.n_macro_subjects, replace=False))
    names = {CKPLUS_CODES[c]: n for c, n in CKPLUS_COUNTS.items()}
    emotions = list(emotion_plan(cfg.n_macro_sequences, names))
    rng.shuffle(emotions)
    n_labelled = int(round(cfg.labelled_fraction * cfg.n_macro_sequences))
    code_of = {v: k for k, v in CKPLUS_CODES.items()}
    per_subject: dict[int, int] = {}
    out = []
    for i, emotion in enumerate(emotions):
        subject = subject_ids[i % cfg.n_macro_subjects]
        per_subject[subject] = per_subject.get(subject, 0) + 1
        out.append(
            MacroSequence(
                subject=f"S{subject:03d}",
                sequence=f"{per_subject[subject]:03d}",
                n_frames=int(rng.integers(cfg.macro_frames[0], cfg.macro_frames[1] + 1)),
                emotion=emotion,
                code=code_of[emotion] if i < n_labelled else None,
                intensity=round(float(rng.uniform(0.85, 1.15)), 4),
                aus=macro_action_units(emotion, rng),
                seed=int(rng.integers(2**31 - 1)),
            )
        )
    return sorted(out, key=lambda s: (s.subject, s.sequence))


def macro_identity_index(cfg: SynthConfig, subject: str) -> int:
    """Which macro identity a CK+ subject folder is (same order as ``plan_macro_sequences``)."""
    rng = np.random.default_rng([cfg.seed, _PLAN, 2])
    subject_ids = sorted(int(s) for s in rng.choice(np.arange(5, 1000), cfg.n_macro_subjects, replace=False))
    return subject_ids.index(int(subject[1:]))
