"""CK+: ``cohn-kanade-images/S005/001/S005_001_00000001.png`` sequences (neutral → peak) and
``Emotion/S005/001/S005_001_00000011_emotion.txt`` holding one float code for the last (peak) frame.

Only some sequences are labelled; the rest are kept with label None (still useful as faces). Stage 2
takes the peak frames with the sequence's label and the first frames as neutral (see ``peak_frames``).
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import GlimpseError
from engine.ingest.base import ClipRecord, IngestIssue, ReadResult
from engine.ingest.common import find_dir, keep_clip, listed_frames, rel_path, require_dir, subdirs
from engine.ingest.labels import CKPLUS_EMOTIONS, ckplus_emotion, ckplus_macro_label
from engine.ingest.registry import register_reader

IMAGE_DIRS = ("cohn-kanade-images", "cohn-kanade")


def read_emotion_file(path: Path, root: Path) -> tuple[int | None, str | None]:
    """(code, None) for a valid ``*_emotion.txt`` (``   3.0000000e+00``), else (None, reason)."""
    try:
        text = path.read_text(encoding="ascii", errors="replace").strip()
        value = float(text.split()[0])
    except (OSError, ValueError, IndexError):
        return None, f"{rel_path(root, path)!r} does not hold one emotion code"
    if not value.is_integer() or int(value) not in CKPLUS_EMOTIONS:
        return None, f"{rel_path(root, path)!r}: emotion code {value:g} is not one of 0–7"
    return int(value), None


def peak_frames(clip_frames: list[int], n_peak: int = 3, n_neutral: int = 1) -> tuple[list[int], list[int]]:
    """(peak frame numbers, neutral frame numbers) of a CK+ sequence: its last and first frames."""
    ordered = sorted(clip_frames)
    return ordered[-n_peak:], ordered[:n_neutral]


@register_reader("ckplus")
def read(root: Path) -> ReadResult:
    """Read CK+: one macro clip per sequence folder; the Emotion file (if any) labels it."""
    root = require_dir(root)
    images = find_dir(root, IMAGE_DIRS)
    if images is None:
        raise GlimpseError(
            "no 'cohn-kanade-images' folder found", where=str(root), hint="point at the CK+ root"
        )
    emotion_root = find_dir(root, ("Emotion", "Emotion_labels"))
    clips: list[ClipRecord] = []
    issues: list[IngestIssue] = []
    for subject_dir in subdirs(images):
        for seq_dir in subdirs(subject_dir):
            where = rel_path(root, seq_dir)
            listing = listed_frames(root, seq_dir, where, None, issues)
            if listing is None:
                continue
            frames = listing.frames
            code: int | None = None
            meta: dict[str, object] = {}
            label_files = (
                sorted((emotion_root / subject_dir.name / seq_dir.name).glob("*_emotion.txt"))
                if emotion_root is not None
                else []
            )
            if label_files:
                code, reason = read_emotion_file(label_files[0], root)
                if reason:
                    issues.append(
                        IngestIssue(rel_path(root, label_files[0]), 1, reason + "; sequence kept unlabelled")
                    )
                else:
                    meta["emotion_code"] = code
                    meta["emotion_file"] = rel_path(root, label_files[0])
            clip = ClipRecord(
                subject=subject_dir.name,
                name=seq_dir.name,
                path=where,
                frames=frames,
                kind="macro",
                onset=frames[0].number if frames else None,
                apex=frames[-1].number if frames else None,
                offset=frames[-1].number if frames else None,
                emotion_raw=ckplus_emotion(code) if code is not None else "",
                label=ckplus_macro_label(code) if code is not None else None,
                meta=meta,
                source_file=where,
            )
            keep_clip(clip, clips, issues)
    if not clips and not issues:
        raise GlimpseError("no CK+ sequences found under <subject>/<sequence>/", where=rel_path(root, images))
    return ReadResult(clips=clips, issues=issues, fps=None, purpose="macro")
