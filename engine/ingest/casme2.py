"""CASME II: ``CASME2_RAW_selected/sub01/EP02_01f/img46.jpg`` (or ``Cropped/…/reg_img46.jpg``) plus
``CASME2-coding-20140508.xlsx``; one clip per coding row, frame numbers as coded.
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import GlimpseError
from engine.ingest.base import ClipRecord, IngestIssue, ReadResult
from engine.ingest.common import (
    as_int,
    coded_clip_folder,
    find_dir,
    find_file,
    keep_clip,
    listed_frames,
    load_coding,
    rel_path,
    require_dir,
)
from engine.ingest.labels import casme2_five_class, megc_label
from engine.ingest.registry import register_reader

FPS = 200.0
CODING_PATTERNS = ("CASME2-coding*.xlsx", "CASME2-coding*.xls", "CASME2*coding*.xlsx", "CASME2*coding*.csv")
FRAME_DIRS = ("CASME2_RAW_selected", "CASME2_RAW", "Cropped", "CASME2_Cropped")
COLUMNS = ("Subject", "Filename", "OnsetFrame", "ApexFrame", "OffsetFrame", "Estimated Emotion")
OPTIONAL = ("Action Units",)


def subject_code(value: object) -> str:
    """``1`` / ``"1"`` / ``"sub01"`` → ``sub01`` (the folder name the frames live in)."""
    number = as_int(value)
    if number is not None:
        return f"sub{number:02d}"
    text = str(value).strip()
    return text if text.lower().startswith("sub") else f"sub{text}"


@register_reader("casme2")
def read(root: Path) -> ReadResult:
    """Read a CASME II release (raw preferred over cropped when both are present)."""
    root = require_dir(root)
    coding = find_file(root, CODING_PATTERNS)
    if coding is None:
        raise GlimpseError(
            "no CASME II coding file (CASME2-coding-*.xlsx) found",
            where=str(root),
            hint="put the coding .xlsx from the CASME II release in the dataset folder",
        )
    frames_dir = find_dir(root, FRAME_DIRS)
    if frames_dir is None:
        raise GlimpseError(
            f"no frames folder ({' or '.join(FRAME_DIRS)}) found",
            where=str(root),
            hint="unpack the release here",
        )
    table = load_coding(coding, root, COLUMNS, OPTIONAL)
    release = "cropped" if "crop" in frames_dir.name.lower() else "raw"
    clips: list[ClipRecord] = []
    issues: list[IngestIssue] = []
    for row, cells in table.rows:
        subject = subject_code(cells["Subject"])
        name = str(cells["Filename"]).strip()
        if not name or not cells["Subject"]:
            issues.append(IngestIssue(table.file, row, "Subject or Filename is empty"))
            continue
        folder = coded_clip_folder(root, frames_dir, subject, name, table.file, row)
        if isinstance(folder, IngestIssue):
            issues.append(folder)
            continue
        onset, offset = as_int(cells["OnsetFrame"]), as_int(cells["OffsetFrame"])
        apex_cell = cells["ApexFrame"]
        apex = as_int(apex_cell)
        if onset is None or offset is None:
            issues.append(
                IngestIssue(
                    table.file,
                    row,
                    f"OnsetFrame/OffsetFrame not a number ({cells['OnsetFrame']!r}, "
                    f"{cells['OffsetFrame']!r})",
                )
            )
            continue
        listing = listed_frames(root, folder, table.file, row, issues)
        if listing is None:
            continue
        emotion = str(cells["Estimated Emotion"]).strip()
        meta: dict[str, object] = {"release": release, "five_class": casme2_five_class(emotion)}
        if apex is None:
            meta["apex_missing"] = True
            meta["apex_coded"] = str(apex_cell)
        clip = ClipRecord(
            subject=subject,
            name=name,
            path=rel_path(root, folder),
            frames=listing.frames,
            kind="micro",
            fps=FPS,
            onset=onset,
            apex=apex,
            offset=offset,
            action_units=str(cells.get("Action Units", "")).strip(),
            emotion_raw=emotion,
            label=megc_label("casme2", emotion),
            meta=meta,
            source_file=table.file,
            source_row=row,
        )
        if not keep_clip(clip, clips, issues):
            continue
        if apex is None:
            issues.append(
                IngestIssue(table.file, row, f"ApexFrame is {str(apex_cell)!r}: kept with no apex (flagged)")
            )
    return ReadResult(
        clips=clips,
        issues=issues,
        fps=FPS,
        purpose="micro",
        meta={"coding_file": table.file, "header_row": table.header_row, "release": release},
    )
