"""A generic folder: ``ROOT/<label>/<clip>/<frames>`` (one clip per folder) or ``ROOT/<label>/<image>``
(one ``kind='image'`` record per still image, e.g. faces for stage-1 reconstruction).

Folders and images that link out of the dataset root are refused and reported, like every reader's frames.

A top folder whose name is no known label or emotion (``s01``, ``identity_03``) is taken as the subject
and its clips stay unlabelled; otherwise the subject is ``unknown``.
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import GlimpseError
from engine.ingest.base import ClipRecord, FrameRecord, IngestIssue, ReadResult
from engine.ingest.common import (
    IMAGE_EXTENSIONS,
    inside_root,
    keep_clip,
    listed_frames,
    natural_key,
    rel_path,
    require_dir,
    subdirs,
)
from engine.ingest.labels import generic_label
from engine.ingest.registry import register_reader

UNKNOWN_SUBJECT = "unknown"
NO_LABEL = frozenset({"unlabelled", "unlabeled", "unknown", "none", "images", "faces"})


@register_reader("folder")
def read(root: Path) -> ReadResult:
    """Read a label-per-folder tree; still images and frame folders may be mixed."""
    root = require_dir(root)
    clips: list[ClipRecord] = []
    issues: list[IngestIssue] = []
    for top in subdirs(root):
        if inside_root(root, top.name) is None:
            issues.append(IngestIssue(top.name, None, f"folder {top.name!r} links outside the dataset"))
            continue
        label = generic_label(top.name)
        subject = UNKNOWN_SUBJECT if label is not None or top.name.lower() in NO_LABEL else top.name
        for clip_dir in subdirs(top):
            where = rel_path(root, clip_dir)
            listing = listed_frames(root, clip_dir, where, None, issues)
            if listing is None:
                continue
            if not listing.frames:
                continue
            frames = listing.frames
            clip = ClipRecord(
                subject=subject,
                name=f"{top.name}/{clip_dir.name}",
                path=where,
                frames=frames,
                kind="micro",
                emotion_raw=top.name if label is not None else "",
                label=label,
                source_file=where,
            )
            keep_clip(clip, clips, issues)
        images = sorted(
            (p for p in top.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS),
            key=lambda p: natural_key(p.name),
        )
        for image in images:
            where = rel_path(root, image)
            if inside_root(root, where) is None:
                issues.append(IngestIssue(where, None, "image links outside the dataset"))
                continue
            clip = ClipRecord(
                subject=subject,
                name=f"{top.name}/{image.stem}",
                path=where,
                frames=[FrameRecord(number=0, path=where)],
                kind="image",
                emotion_raw=top.name if label is not None else "",
                label=label,
                source_file=where,
            )
            keep_clip(clip, clips, issues)
    if not clips and not issues:
        raise GlimpseError(
            "no images found: expected ROOT/<label>/<image> or ROOT/<label>/<clip>/<frames>", where=str(root)
        )
    purpose = "faces" if clips and all(c.kind == "image" for c in clips) else "micro"
    return ReadResult(clips=clips, issues=issues, fps=None, purpose=purpose)
