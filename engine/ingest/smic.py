"""SMIC-HS: ``HS/s1/micro/{negative,positive,surprise}/s1_ne_01/image*.bmp`` (cropped release:
``SMIC_all_cropped/HS/…``). Label and subject come from the folders; SMIC codes no apex, so the middle
frame is used and flagged ``apex_estimated``.
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import GlimpseError
from engine.ingest.base import ClipRecord, IngestIssue, ReadResult
from engine.ingest.common import find_dir, keep_clip, listed_frames, rel_path, require_dir, subdirs
from engine.ingest.labels import megc_label
from engine.ingest.registry import register_reader
from engine.labels import LABELS_ME

FPS = 100.0
CROPPED_DIR = "SMIC_all_cropped"


def _hs_dir(root: Path) -> tuple[Path, str]:
    """The HS folder: the raw release's first, else the cropped release's."""
    if root.name.upper() == "HS":
        return root, "cropped" if "crop" in root.parent.name.lower() else "raw"
    direct = root / "HS"
    if direct.is_dir():
        return direct, "raw"
    cropped = find_dir(root, (CROPPED_DIR,))
    if cropped is not None and (cropped / "HS").is_dir():
        return cropped / "HS", "cropped"
    found = find_dir(root, ("HS",), max_depth=3)
    if found is not None:
        return found, "cropped" if "crop" in str(found).lower() else "raw"
    raise GlimpseError(
        "no SMIC 'HS' folder found",
        where=str(root),
        hint="point at the SMIC root (holding HS/ or SMIC_all_cropped/)",
    )


@register_reader("smic")
def read(root: Path) -> ReadResult:
    """Read SMIC-HS: one clip per ``<subject>/micro/<label>/<clip>`` folder."""
    root = require_dir(root)
    hs, release = _hs_dir(root)
    clips: list[ClipRecord] = []
    issues: list[IngestIssue] = []
    for subject_dir in subdirs(hs):
        micro = subject_dir / "micro"
        if not micro.is_dir():
            continue  # SMIC also ships non_micro sequences: not ME clips
        for label_dir in subdirs(micro):
            label = label_dir.name.lower()
            if label not in LABELS_ME:  # SMIC names its label folders after the three classes
                issues.append(
                    IngestIssue(rel_path(root, label_dir), None, f"unknown label folder {label_dir.name!r}")
                )
                continue
            for clip_dir in subdirs(label_dir):
                where = rel_path(root, clip_dir)
                listing = listed_frames(root, clip_dir, where, None, issues)
                if listing is None:
                    continue
                frames = listing.frames
                clip = ClipRecord(
                    subject=subject_dir.name,
                    name=clip_dir.name,
                    path=where,
                    frames=frames,
                    kind="micro",
                    fps=FPS,
                    onset=frames[0].number if frames else None,
                    apex=frames[len(frames) // 2].number if frames else None,
                    offset=frames[-1].number if frames else None,
                    apex_estimated=True,
                    emotion_raw=label,
                    label=megc_label("smic", label),
                    meta={"release": release},
                    source_file=where,
                )
                keep_clip(clip, clips, issues)
    if not clips and not issues:
        raise GlimpseError(
            "no SMIC clips found under <subject>/micro/<label>/<clip>/", where=rel_path(root, hs) or str(root)
        )
    return ReadResult(clips=clips, issues=issues, fps=FPS, purpose="micro", meta={"release": release})
