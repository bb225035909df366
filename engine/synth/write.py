"""Write the synthetic corpus in the real layouts: CASME II (+ coding .xlsx), CK+, a faces folder.

Everything goes to a staging folder beside ``out_dir`` and is moved into place only when complete,
so an interrupted run never leaves a half corpus that ingest would accept.

Why one ~410-line module: the three layouts share the staging folder, the worker-pool jobs and the
manifest, and are written in one pass that must succeed or leave nothing.
"""

from __future__ import annotations

import errno
import json
import shutil
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from openpyxl import Workbook

from db.faults import free_mb, no_space
from engine.errors import GlimpseError
from engine.progress import Cancelled, NullReporter, Reporter
from engine.synth.config import SynthConfig
from engine.synth.dynamics import blink_curve, flicker_track, macro_curve, me_curve, pose_track
from engine.synth.emotions import PROTOTYPES
from engine.synth.identity import Identity, face_frame, sample_identity
from engine.synth.landmarks_file import landmark_entry, write_landmarks
from engine.synth.long import LAYOUT_FPS, LongVideo, long_identities, plan_long_videos, validate_long
from engine.synth.long_write import long_video_job, long_video_json, write_code_files
from engine.synth.plan import (
    MacroSequence,
    MEClip,
    face_rng,
    macro_identities,
    macro_identity_index,
    me_identities,
    plan_macro_sequences,
    plan_me_clips,
    validate,
)
from engine.synth.render import Camera, clear_caches, pose_matrix, render_frame

CASME2_DIR = "casme2"
CASME2_FRAMES = "CASME2_RAW_selected"
CASME2_CODING = "CASME2-coding-20140508.xlsx"
CASME2_HEADER = (
    "Subject",
    "Filename",
    None,
    "OnsetFrame",
    "ApexFrame",
    "OffsetFrame",
    None,
    "Action Units",
    "Estimated Emotion",
)
CKPLUS_DIR = "ckplus"
FACES_DIR = "faces"
MANIFEST_FILE = "manifest.json"
FACES_PER_JOB = 50
# disk per image pixel, measured: the tiny corpus (358 images of 96² px) takes 2.0 MB ≈ 0.6 B/pixel
BYTES_PER_PIXEL = 0.7


@dataclass
class CorpusManifest:
    """What was written and the ground truth tests and ingest checks compare against."""

    root: Path
    casme2_root: Path
    ckplus_root: Path
    faces_root: Path
    n_me_clips: int
    n_me_subjects: int
    n_macro_sequences: int
    n_labelled_sequences: int
    n_face_images: int
    n_frames: int
    me_clips: list[MEClip] = field(default_factory=list)
    macro_sequences: list[MacroSequence] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    long_videos: list[LongVideo] = field(default_factory=list)  # spotting: casme_sq/ and samm_lv/
    n_long_videos: int = 0

    def long_root(self, layout: str) -> Path:
        """The folder of one long-video layout (``casme_sq`` or ``samm_lv``) inside the corpus."""
        return self.root / layout

    @property
    def coding_file(self) -> Path:
        return self.casme2_root / CASME2_CODING

    def clip_dir(self, clip: MEClip) -> Path:
        return self.casme2_root / CASME2_FRAMES / clip.subject_dir / clip.filename

    def sequence_dir(self, seq: MacroSequence) -> Path:
        return self.ckplus_root / "cohn-kanade-images" / seq.subject / seq.sequence


# ----------------------------------------------------------------------------------------- rendering jobs


def _scaled(aus: dict[str, float], k: float) -> dict[str, float]:
    return {a: w * k for a, w in aus.items()}


def render_me_clip(clip: MEClip, identity: Identity, cfg: SynthConfig) -> list[tuple[np.ndarray, np.ndarray]]:
    """All frames (BGR uint8) and landmarks of one ME clip, first_frame..last_frame."""
    n = clip.last_frame - clip.first_frame + 1
    rng = np.random.default_rng(clip.seed)
    curve = me_curve(
        n, clip.onset - clip.first_frame, clip.apex - clip.first_frame, clip.offset - clip.first_frame
    )
    blink = np.zeros(n)
    for start, end in clip.blinks:
        blink = np.maximum(blink, blink_curve(n, start - clip.first_frame, end - start + 1))
    pose = pose_track(n, rng, cfg.drift_px, cfg.drift_deg, cfg.fps)
    gain = flicker_track(n, rng, cfg.flicker, cfg.fps)
    light = float(rng.uniform(-0.2, 0.2))
    size = cfg.frame_size
    frames = []
    for i in range(n):
        aus = _scaled(clip.aus, clip.apex_intensity * curve[i])
        if blink[i] > 0:
            aus["45"] = float(blink[i])
        camera = Camera(pose_matrix(size, *pose[i]), float(gain[i]), light, cfg.noise_sigma)
        frames.append(render_frame(identity, aus, size, camera, rng))
    return frames


def _me_job(clip: MEClip, identity: Identity, cfg: SynthConfig, folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    entries = {}
    params = [cv2.IMWRITE_JPEG_QUALITY, cfg.jpeg_quality]
    for k, (img, lm) in enumerate(render_me_clip(clip, identity, cfg)):
        name = f"img{clip.first_frame + k}.jpg"
        cv2.imwrite(str(folder / name), img, params)
        entries[name] = landmark_entry(lm, cfg.frame_size)
    write_landmarks(folder, entries)
    return len(entries)


def render_macro_sequence(
    seq: MacroSequence, identity: Identity, cfg: SynthConfig
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Grey frames neutral -> peak (CK+ is mostly grey) and their landmarks."""
    rng = np.random.default_rng(seq.seed)
    curve = macro_curve(seq.n_frames)
    pose = pose_track(seq.n_frames, rng, cfg.drift_px, cfg.drift_deg, 30.0)
    light = float(rng.uniform(-0.2, 0.2))
    size = cfg.frame_size
    frames = []
    for i in range(seq.n_frames):
        camera = Camera(pose_matrix(size, *pose[i]), 1.0, light, cfg.noise_sigma, grey=True)
        frames.append(render_frame(identity, _scaled(seq.aus, seq.intensity * curve[i]), size, camera, rng))
    return frames


def _macro_job(seq: MacroSequence, identity: Identity, cfg: SynthConfig, root: Path) -> int:
    folder = root / "cohn-kanade-images" / seq.subject / seq.sequence
    folder.mkdir(parents=True, exist_ok=True)
    entries = {}
    for k, (img, lm) in enumerate(render_macro_sequence(seq, identity, cfg)):
        name = f"{seq.subject}_{seq.sequence}_{k + 1:08d}.png"
        cv2.imwrite(str(folder / name), img)
        entries[name] = landmark_entry(lm, cfg.frame_size)
    write_landmarks(folder, entries)
    if seq.code is not None:
        emotion_dir = root / "Emotion" / seq.subject / seq.sequence
        emotion_dir.mkdir(parents=True, exist_ok=True)
        text = f"   {float(seq.code):.7e}\n"
        (emotion_dir / f"{seq.subject}_{seq.sequence}_{seq.n_frames:08d}_emotion.txt").write_text(text)
    return seq.n_frames


def render_face_image(cfg: SynthConfig, index: int) -> tuple[np.ndarray, np.ndarray]:
    """One still face: a fresh identity, any emotion at any strength, a varied pose and light."""
    rng = face_rng(cfg, index)
    identity = sample_identity(rng)
    emotions = ["neutral", *sorted(PROTOTYPES)]
    emotion = emotions[int(rng.integers(len(emotions)))]
    aus = {} if emotion == "neutral" else {a: float(rng.uniform(0.2, 1.1)) for a in PROTOTYPES[emotion][0]}
    if rng.random() < 0.1:
        aus["45"] = 1.0
    size = cfg.frame_size
    matrix = pose_matrix(
        size,
        rng.uniform(-0.05, 0.05) * size,
        rng.uniform(-0.05, 0.05) * size,
        rng.uniform(-10, 10),
        rng.uniform(0.9, 1.08),
    )
    camera = Camera(matrix, float(rng.uniform(0.8, 1.15)), float(rng.uniform(-0.3, 0.3)), cfg.noise_sigma)
    return render_frame(identity, aus, size, camera, rng, yaw=float(rng.uniform(-0.35, 0.35)))


def _faces_job(cfg: SynthConfig, indices: list[int], folder: Path) -> dict[str, Any]:
    entries = {}
    for index in indices:
        img, lm = render_face_image(cfg, index)
        name = f"face_{index + 1:05d}.png"
        cv2.imwrite(str(folder / name), img)
        entries[name] = landmark_entry(lm, cfg.frame_size)
    return entries


# ----------------------------------------------------------------------------------------------- tables


def write_coding_xlsx(path: Path, clips: Iterable[MEClip]) -> None:
    """CASME II's coding sheet: Sheet1, the official header in row 1, one row per clip."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(list(CASME2_HEADER))
    for c in clips:
        ws.append([c.subject, c.filename, None, c.onset, c.apex, c.offset, None, c.action_units, c.emotion])
    wb.properties.creator = "glimpse synth"
    wb.properties.created = datetime(2014, 5, 8)
    wb.save(path)


def _clip_json(clip: MEClip) -> dict[str, Any]:
    data = asdict(clip)
    data["blinks"] = [list(b) for b in clip.blinks]
    data.pop("seed")
    return data


def _seq_json(seq: MacroSequence) -> dict[str, Any]:
    data = asdict(seq)
    data.pop("seed")
    return data


# -------------------------------------------------------------------------------------------- the driver


def _prepare(out_dir: Path) -> Path:
    if out_dir.exists() and not out_dir.is_dir():
        raise GlimpseError(f"{out_dir} is a file, not a folder", where=str(out_dir), hint="choose a folder")
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / MANIFEST_FILE).exists():
        raise GlimpseError(
            f"{out_dir} is not empty and holds no synthetic corpus ({MANIFEST_FILE} missing)",
            where=str(out_dir),
            hint="choose an empty or new folder; an existing synthetic corpus is replaced",
        )
    staging = out_dir.parent / f".{out_dir.name}.partial"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    return staging


def _isolated(fn: Callable[..., Any], *args: Any) -> Any:
    """Run one job on empty render caches, so what it writes depends on its own inputs alone: not on
    which jobs the same process (a pool worker, as scheduled) rendered before it."""
    clear_caches()
    return fn(*args)


def _run_jobs(
    jobs: list[tuple[Callable[..., Any], tuple[Any, ...], int]],
    workers: int,
    reporter: Reporter,
    on_result: Callable[[Any], None],
) -> None:
    """Run (function, args, weight) jobs, in a process pool when asked, reporting weighted progress;
    each job on empty render caches (``_isolated``), so the corpus is the same bytes in any job order."""
    total = max(1, sum(w for _, _, w in jobs))
    done = 0
    if workers <= 1 or len(jobs) < 4:
        for fn, args, weight in jobs:
            if reporter.cancelled():
                raise Cancelled("synthetic corpus generation cancelled; run it again to finish")
            on_result(_isolated(fn, *args))
            done += weight
            reporter.progress(done / total, f"{done}/{total} frames")
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_isolated, fn, *args): weight for fn, args, weight in jobs}
        for future in as_completed(futures):
            if reporter.cancelled():
                for f in futures:
                    f.cancel()
                raise Cancelled("synthetic corpus generation cancelled; run it again to finish")
            on_result(future.result())
            done += futures[future]
            reporter.progress(done / total, f"{done}/{total} frames")


def estimate_mb(cfg: SynthConfig) -> float:
    """Roughly how much disk the corpus takes, from its plan (before anything is drawn)."""
    small = (
        sum(c.last_frame - c.first_frame + 1 for c in plan_me_clips(cfg))
        + sum(s.n_frames for s in plan_macro_sequences(cfg))
        + cfg.n_face_images
    )
    long = sum(v.n_frames for layout in LAYOUT_FPS for v in plan_long_videos(cfg, layout))
    return (small * cfg.frame_size**2 + long * cfg.long_frame_size**2) * BYTES_PER_PIXEL / 1e6


def generate_corpus(
    out_dir: Path, cfg: SynthConfig = SynthConfig(), reporter: Reporter | None = None
) -> CorpusManifest:
    """Write the whole synthetic corpus under ``out_dir``, deterministically from ``cfg.seed``.

    A disk without room for it (``estimate_mb``) is refused before anything is drawn; a disk that fills
    up anyway ends in the same one-sentence error, with the staging folder removed."""
    validate(cfg)
    validate_long(cfg)
    reporter = reporter or NullReporter()
    out_dir = Path(out_dir).resolve()
    need_mb = estimate_mb(cfg)
    if free_mb(out_dir.parent) < need_mb:
        raise no_space(out_dir.parent, "the synthetic corpus", need_mb)
    staging = _prepare(out_dir)
    try:
        manifest = _generate(staging, cfg, reporter)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(error, OSError) and error.errno == errno.ENOSPC:  # the disk filled up anyway
            raise no_space(out_dir.parent, "the synthetic corpus", need_mb) from error
        raise
    if out_dir.exists():
        shutil.rmtree(out_dir)
    staging.rename(out_dir)
    manifest.root = out_dir
    manifest.casme2_root = out_dir / CASME2_DIR
    manifest.ckplus_root = out_dir / CKPLUS_DIR
    manifest.faces_root = out_dir / FACES_DIR
    reporter.progress(1.0, f"{manifest.n_frames} images written")
    return manifest


def _generate(root: Path, cfg: SynthConfig, reporter: Reporter) -> CorpusManifest:
    reporter.progress(0.0, "planning")
    clips = plan_me_clips(cfg)
    seqs = plan_macro_sequences(cfg)
    me_ids = me_identities(cfg)
    macro_ids = macro_identities(cfg)
    casme = root / CASME2_DIR
    ck = root / CKPLUS_DIR
    faces = root / FACES_DIR / "unlabelled"
    faces.mkdir(parents=True)
    ck.mkdir(parents=True)
    (casme / CASME2_FRAMES).mkdir(parents=True)

    jobs: list[tuple[Callable[..., Any], tuple[Any, ...], int]] = []
    for clip in clips:
        folder = casme / CASME2_FRAMES / clip.subject_dir / clip.filename
        jobs.append(
            (_me_job, (clip, me_ids[clip.subject - 1], cfg, folder), clip.last_frame - clip.first_frame + 1)
        )
    for seq in seqs:
        identity = macro_ids[macro_identity_index(cfg, seq.subject)]
        jobs.append((_macro_job, (seq, identity, cfg, ck), seq.n_frames))
    for start in range(0, cfg.n_face_images, FACES_PER_JOB):
        indices = list(range(start, min(cfg.n_face_images, start + FACES_PER_JOB)))
        jobs.append((_faces_job, (cfg, indices, faces), len(indices)))
    long_videos = [v for layout in LAYOUT_FPS for v in plan_long_videos(cfg, layout)]
    identities = {layout: long_identities(cfg, layout) for layout in LAYOUT_FPS if cfg.long_subjects > 0}
    for video in long_videos:
        layout_root = root / video.layout
        jobs.append(
            (
                long_video_job,
                (video, identities[video.layout][video.identity_index], cfg, layout_root),
                video.n_frames,
            )
        )
    # longest first keeps both workers busy to the end
    jobs.sort(key=lambda j: -j[2])

    face_entries: dict[str, Any] = {}
    n_frames = 0

    def collect(result: Any) -> None:
        nonlocal n_frames
        if isinstance(result, dict):
            face_entries.update(result)
            n_frames += len(result)
        else:
            n_frames += int(result)

    _run_jobs(jobs, cfg.workers, reporter, collect)
    write_landmarks(faces, dict(sorted(face_entries.items())))
    write_coding_xlsx(casme / CASME2_CODING, clips)
    for layout in LAYOUT_FPS:
        videos = [v for v in long_videos if v.layout == layout]
        if videos:
            write_code_files(root / layout, layout, videos)

    manifest = CorpusManifest(
        root=root,
        casme2_root=casme,
        ckplus_root=ck,
        faces_root=root / FACES_DIR,
        n_me_clips=len(clips),
        n_me_subjects=len({c.subject for c in clips}),
        n_macro_sequences=len(seqs),
        n_labelled_sequences=sum(s.code is not None for s in seqs),
        n_face_images=cfg.n_face_images,
        n_frames=n_frames,
        me_clips=clips,
        macro_sequences=seqs,
        long_videos=long_videos,
        n_long_videos=len(long_videos),
        # the worker count changes speed, not content: leave it out so the corpus is byte-identical
        config={k: v for k, v in asdict(cfg).items() if k != "workers"},
    )
    document = {
        "generator": "glimpse synth",
        "config": manifest.config,
        "frame_size": cfg.frame_size,
        "fps": cfg.fps,
        "face_frame": dict(zip(("cx", "cy", "u"), face_frame(cfg.frame_size), strict=True)),
        "counts": {
            "me_clips": manifest.n_me_clips,
            "me_subjects": manifest.n_me_subjects,
            "macro_sequences": manifest.n_macro_sequences,
            "labelled_sequences": manifest.n_labelled_sequences,
            "face_images": manifest.n_face_images,
            "long_videos": len(long_videos),
            "frames": n_frames,
        },
        "me_clips": [_clip_json(c) for c in clips],
        "macro_sequences": [_seq_json(s) for s in seqs],
        "long_videos": [long_video_json(v) for v in long_videos],
    }
    (root / MANIFEST_FILE).write_text(json.dumps(document, indent=1))
    return manifest


def load_manifest(out_dir: Path) -> dict[str, Any]:
    """The manifest.json of a generated corpus (raises GlimpseError when there is none)."""
    path = Path(out_dir) / MANIFEST_FILE
    if not path.is_file():
        raise GlimpseError(f"no synthetic corpus at {out_dir}", where=str(path), hint="run `glimpse synth`")
    return json.loads(path.read_text())
