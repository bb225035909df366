"""Synthetic long videos for spotting: several MEs and macro-expressions per video at known frames,
inside neutral stretches, with the distractors spotting must ignore — blinks, head motion (a slow
drift plus a turn), a talking-like mouth — in two layouts: CAS(ME)² at 30 fps and SAMM-LV at 200 fps.

Planning is separate from drawing (like the clip corpus): the whole timeline of a video is decided
from its seed first, so the ground truth written to the code files is exactly what was rendered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from engine.errors import GlimpseError
from engine.synth.action_units import format_au_code
from engine.synth.config import SynthConfig
from engine.synth.dynamics import blink_curve, flicker_track, me_curve, pose_track
from engine.synth.emotions import macro_action_units, me_action_units
from engine.synth.identity import Identity, sample_identity
from engine.synth.render import Camera, pose_matrix, render_frame

CASME_SQ = "casme_sq"
SAMM_LV = "samm_lv"
LAYOUT_FPS: dict[str, float] = {CASME_SQ: 30.0, SAMM_LV: 200.0}
# seed streams of their own, so long videos never change the clip corpus
_LONG_PLAN, _LONG_ID = 11, 12
# CAS(ME)² videos are named after their stimulus: (name in the code file, 4-digit code, folder suffix)
STIMULI: tuple[tuple[str, str, str], ...] = (
    ("disgust1", "0101", "disgustingteeth"),
    ("disgust2", "0102", "eatingworms"),
    ("anger1", "0401", "girlcrashing"),
    ("anger2", "0402", "beatingpregnantwoman"),
    ("happy1", "0502", "funnyerrors"),
    ("happy2", "0503", "sittingonphone"),
    ("happy3", "0505", "funnyinnovations"),
    ("happy4", "0507", "climbingthewall"),
)
# the emotions each release codes for its MEs (SAMM has contempt, no repression)
ME_EMOTIONS: dict[str, tuple[str, ...]] = {
    CASME_SQ: ("happiness", "surprise", "disgust", "repression", "anger", "sadness", "fear", "others"),
    SAMM_LV: ("happiness", "surprise", "anger", "contempt", "disgust", "fear", "sadness", "others"),
}
MACRO_EMOTIONS = ("happiness", "surprise", "disgust", "anger", "sadness")
TALK_AUS = {"25": 0.45, "26": 0.6, "10": 0.1}  # jaw and lips, syllable by syllable


@dataclass(frozen=True)
class LongInterval:
    """One coded expression of a long video (frame numbers, 1-based, as written to the code file)."""

    type: str  # micro | macro
    onset: int
    apex: int
    offset: int
    emotion: str
    action_units: str
    intensity: float  # apex strength, fraction of a macro apex
    partial: str | None = None  # upper / lower when an ME shows half its prototype
    apex_coded: bool = True  # False: the code file writes the apex as 0 (unknown), CAS(ME)²'s quirk
    aus: dict[str, float] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class LongVideo:
    """The whole timeline of one long video: expressions, distractors, and where it is written."""

    layout: str  # casme_sq | samm_lv
    subject: int  # 1-based subject number within the layout
    index: int  # 1-based video number of the subject
    n_frames: int
    fps: float
    intervals: tuple[LongInterval, ...]
    blinks: tuple[tuple[int, int], ...]  # (first, last) frame numbers
    talking: tuple[tuple[int, int], ...]
    head_turns: tuple[tuple[int, int], ...]
    stimulus: tuple[str, str, str] = ("", "", "")  # CAS(ME)² only
    identity_index: int = 0
    seed: int = 0

    @property
    def subject_code(self) -> str:
        """The folder code: ``s15`` (CAS(ME)²) or ``006`` (SAMM)."""
        return f"s{14 + self.subject}" if self.layout == CASME_SQ else f"{5 + self.subject:03d}"

    @property
    def name(self) -> str:
        """The video's folder name: ``15_0101disgustingteeth`` or ``006_1``."""
        if self.layout == CASME_SQ:
            return f"{14 + self.subject}_{self.stimulus[1]}{self.stimulus[2]}"
        return f"{self.subject_code}_{self.index}"


def validate_long(cfg: SynthConfig) -> None:
    """Refuse long-video settings whose expressions cannot fit their videos, before anything is drawn."""
    if cfg.long_subjects <= 0:
        return
    problems = []
    if cfg.long_videos_per_subject < 1:
        problems.append("long_videos_per_subject must be at least 1")
    if cfg.long_videos_per_subject > len(STIMULI):
        problems.append(f"at most {len(STIMULI)} long videos per subject")
    if cfg.long_frame_size < 48:
        problems.append("long_frame_size must be at least 48 pixels")
    if cfg.long_me_s[1] >= cfg.long_macro_s[0]:
        problems.append("every macro-expression must last longer than any ME (long_me_s < long_macro_s)")
    for layout, frames in ((CASME_SQ, cfg.long_frames_30fps), (SAMM_LV, cfg.long_frames_200fps)):
        fps = LAYOUT_FPS[layout]
        need = (
            cfg.long_micro[1] * _frames(cfg.long_me_s[1], fps)
            + cfg.long_macro[1] * _frames(cfg.long_macro_s[1], fps)
            + (cfg.long_micro[1] + cfg.long_macro[1] + 1) * _frames(cfg.long_gap_s, fps)
        )
        if frames[0] < need:
            problems.append(f"{layout} videos need at least {need} frames for their expressions")
    if problems:
        raise GlimpseError("invalid long-video settings: " + "; ".join(problems), hint="fix the settings")


def _frames(seconds: float, fps: float) -> int:
    return max(4, int(round(seconds * fps)))


def long_identities(cfg: SynthConfig, layout: str) -> list[Identity]:
    stream = list(LAYOUT_FPS).index(layout)
    return [
        sample_identity(np.random.default_rng([cfg.seed, _LONG_ID, stream, s]))
        for s in range(cfg.long_subjects)
    ]


def _place(lengths: Sequence[int], n_frames: int, gap: int, rng: np.random.Generator) -> list[int] | None:
    """Start frames (1-based) for events of ``lengths`` in this order, at least ``gap`` apart and from
    the ends, the spare frames spread at random; None when they do not fit."""
    spare = n_frames - sum(lengths) - gap * (len(lengths) + 1)
    if spare < 0:
        return None
    shares = rng.dirichlet(np.ones(len(lengths) + 1)) * spare
    extra = np.floor(shares).astype(int)
    starts, position = [], 1
    for length, pad in zip(lengths, extra[:-1], strict=True):
        position += gap + int(pad)
        starts.append(position)
        position += length
    return starts


def _expression(
    kind: str, start: int, length: int, cfg: SynthConfig, rng: np.random.Generator, layout: str
) -> LongInterval:
    emotions = ME_EMOTIONS[layout] if kind == "micro" else MACRO_EMOTIONS
    emotion = emotions[int(rng.integers(len(emotions)))]
    if kind == "micro":
        aus, half = me_action_units(emotion, rng, cfg.partial_prob, cfg.unilateral_prob)
        intensity = cfg.me_intensity * rng.uniform(1 - cfg.me_intensity_jitter, 1 + cfg.me_intensity_jitter)
    else:
        aus, half = macro_action_units(emotion, rng), None
        intensity = rng.uniform(0.7, 1.1)
    offset = start + length - 1
    apex = start + max(1, int(round(rng.uniform(0.3, 0.55) * (length - 1))))
    apex_coded = not (layout == CASME_SQ and rng.random() < cfg.long_apex_unknown_prob)
    return LongInterval(
        type=kind,
        onset=start,
        apex=min(apex, offset),
        offset=offset,
        emotion=emotion,
        action_units=format_au_code(aus),
        intensity=round(float(intensity), 4),
        partial=half,
        apex_coded=apex_coded,
        aus=aus,
    )


def _blinks(
    n_frames: int, fps: float, busy: Sequence[tuple[int, int]], cfg: SynthConfig, rng: np.random.Generator
) -> tuple[tuple[int, int], ...]:
    """Blinks at random in the neutral frames (never inside a coded expression, so truth stays clean)."""
    length = _frames(cfg.blink_s, fps)
    wanted = max(1, int(rng.poisson(cfg.long_blinks_per_s * n_frames / fps)))
    margin = _frames(0.1, fps)
    taken = [(a - margin, b + margin) for a, b in busy]
    out: list[tuple[int, int]] = []
    for _ in range(wanted * 50):
        if len(out) >= wanted:
            break
        start = int(rng.integers(1, max(2, n_frames - length)))
        end = start + length - 1
        if all(end < a or start > b for a, b in taken):
            out.append((start, end))
            taken.append((start - margin, end + margin))
    return tuple(sorted(out))


def plan_long_videos(cfg: SynthConfig, layout: str) -> list[LongVideo]:
    """Every long video of one layout: per video, MEs and macros (and a talking stretch when it fits)
    in a shuffled order inside neutral stretches, blinks in what is left, one head turn anywhere."""
    if cfg.long_subjects <= 0:
        return []
    fps = LAYOUT_FPS[layout]
    frames_range = cfg.long_frames_30fps if layout == CASME_SQ else cfg.long_frames_200fps
    rng = np.random.default_rng([cfg.seed, _LONG_PLAN, list(LAYOUT_FPS).index(layout)])
    gap = _frames(cfg.long_gap_s, fps)
    videos = []
    for subject in range(1, cfg.long_subjects + 1):
        first_stimulus = int(rng.integers(len(STIMULI)))
        for index in range(1, cfg.long_videos_per_subject + 1):
            n_frames = int(rng.integers(frames_range[0], frames_range[1] + 1))
            kinds = ["micro"] * int(rng.integers(cfg.long_micro[0], cfg.long_micro[1] + 1))
            kinds += ["macro"] * int(rng.integers(cfg.long_macro[0], cfg.long_macro[1] + 1))
            seconds = {"micro": cfg.long_me_s, "macro": cfg.long_macro_s, "talk": cfg.long_talk_s}
            events = [*kinds, "talk"]
            lengths = {i: _frames(rng.uniform(*seconds[kind]), fps) for i, kind in enumerate(events)}
            chosen = [int(i) for i in rng.permutation(len(events))]
            starts = _place([lengths[i] for i in chosen], n_frames, gap, rng)
            if starts is None:  # the talking stretch gives way when the expressions need the room
                chosen.remove(events.index("talk"))
                starts = _place([lengths[i] for i in chosen], n_frames, gap, rng)
            if starts is None:
                raise GlimpseError(
                    f"the expressions do not fit a {n_frames}-frame video", hint="longer videos"
                )
            spans = {i: (s, s + lengths[i] - 1) for i, s in zip(chosen, starts, strict=True)}
            intervals = tuple(
                _expression(events[i], spans[i][0], lengths[i], cfg, rng, layout)
                for i in sorted(spans, key=lambda k: spans[k][0])
                if events[i] != "talk"
            )
            talking = tuple(spans[i] for i in spans if events[i] == "talk")
            # a head turn comes whenever it likes, over an expression or not, as in real recordings
            turn = _frames(rng.uniform(0.4, 0.8), fps)
            turn_start = int(rng.integers(1, n_frames - turn + 2))
            turns = ((turn_start, turn_start + turn - 1),)
            busy = [(iv.onset, iv.offset) for iv in intervals]
            videos.append(
                LongVideo(
                    layout=layout,
                    subject=subject,
                    index=index,
                    n_frames=n_frames,
                    fps=fps,
                    intervals=intervals,
                    blinks=_blinks(n_frames, fps, busy, cfg, rng),
                    talking=talking,
                    head_turns=turns,
                    stimulus=STIMULI[(first_stimulus + index - 1) % len(STIMULI)],
                    identity_index=subject - 1,
                    seed=int(rng.integers(2**31 - 1)),
                )
            )
    return videos


def _talk_curve(n: int, span: tuple[int, int], fps: float, rng: np.random.Generator) -> np.ndarray:
    """Mouth opening in [0, 1]: syllables at 3–5 Hz under a smooth envelope (frame index = number - 1)."""
    curve = np.zeros(n)
    a, b = span[0] - 1, span[1]
    t = np.arange(b - a) / fps
    envelope = np.clip(np.sin(np.pi * np.arange(b - a) / max(b - a - 1, 1)), 0, 1) ** 0.5
    curve[a:b] = envelope * (0.5 - 0.5 * np.cos(2 * np.pi * rng.uniform(3.0, 5.0) * t))
    return curve


def _turn_track(n: int, spans: Sequence[tuple[int, int]], size: int, rng: np.random.Generator) -> np.ndarray:
    """(dx, angle) of head turns: out and back (sin²) over each span, a few pixels and degrees."""
    out = np.zeros((n, 2))
    for first, last in spans:
        k = np.arange(last - first + 1) / max(last - first, 1)
        bump = np.sin(np.pi * k) ** 2
        sign = 1 if rng.random() < 0.5 else -1
        out[first - 1 : last, 0] += sign * 0.03 * size * bump
        out[first - 1 : last, 1] += sign * rng.uniform(1.0, 2.5) * bump
    return out


def au_timeline(video: LongVideo) -> list[dict[str, float]]:
    """The AU intensities of every frame (index = frame number - 1): expressions, blinks (AU45)."""
    n = video.n_frames
    frames: list[dict[str, float]] = [{} for _ in range(n)]
    for iv in video.intervals:
        curve = me_curve(n, iv.onset - 1, iv.apex - 1, iv.offset - 1)
        for i in range(iv.onset - 1, iv.offset):
            for au, weight in iv.aus.items():
                frames[i][au] = frames[i].get(au, 0.0) + weight * iv.intensity * float(curve[i])
    for start, end in video.blinks:
        curve = blink_curve(n, start - 1, end - start + 1)
        for i in range(start - 1, end):
            frames[i]["45"] = max(frames[i].get("45", 0.0), float(curve[i]))
    return frames


def render_long_video(
    video: LongVideo, identity: Identity, cfg: SynthConfig
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Every frame (BGR uint8) and its 68 landmarks, frame 1 first."""
    rng = np.random.default_rng(video.seed)
    n, size = video.n_frames, cfg.long_frame_size
    aus = au_timeline(video)
    talk = np.zeros(n)
    for span in video.talking:
        talk = np.maximum(talk, _talk_curve(n, span, video.fps, rng))
    pose = pose_track(n, rng, 2 * cfg.drift_px, 2 * cfg.drift_deg, video.fps)
    turns = _turn_track(n, video.head_turns, size, rng)
    gain = flicker_track(n, rng, cfg.flicker, video.fps)
    light = float(rng.uniform(-0.2, 0.2))
    out = []
    for i in range(n):
        state: Mapping[str, float] = aus[i]
        if talk[i] > 0:
            state = dict(state)
            for au, weight in TALK_AUS.items():
                state[au] = state.get(au, 0.0) + weight * float(talk[i])
        state = {a: round(v, 4) for a, v in state.items() if v > 1e-4}  # neutral frames share one drawing
        matrix = pose_matrix(size, pose[i, 0] + turns[i, 0], pose[i, 1], pose[i, 2] + turns[i, 1])
        camera = Camera(matrix, float(gain[i]), light, cfg.noise_sigma)
        out.append(render_frame(identity, state, size, camera, rng))
    return out
