"""SAMM: ``SAMM/006/006_1_2/006_05562.jpg`` plus ``SAMM_Micro_FACS_Codes_v2.xlsx``, whose header row sits
below about 13 rows of notes (found by its column names).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
from engine.ingest.labels import megc_label
from engine.ingest.registry import register_reader

FPS = 200.0
MICRO_CODING_PATTERNS = ("SAMM_Micro_FACS_Codes*.xlsx", "SAMM*Codes*.xlsx", "SAMM*Codes*.csv")
CODING_PATTERNS = (*MICRO_CODING_PATTERNS, "SAMM*.xlsx")
COLUMNS = ("Subject", "Filename", "Onset Frame", "Apex Frame", "Offset Frame", "Estimated Emotion")
OPTIONAL = ("Inducement Code", "Duration", "Micro", "Action Units", "Objective Classes", "Notes")


def subject_code(value: object) -> str:
    number = as_int(value)
    return f"{number:03d}" if number is not None else str(value).strip()


@register_reader("samm")
def read(root: Path) -> ReadResult:
    """Read SAMM: one clip per coding row, frames in ``<subject>/<filename>/``."""
    root = require_dir(root)
    coding = find_file(root, CODING_PATTERNS)
    if coding is None:
        raise GlimpseError(
            "no SAMM coding file (SAMM_Micro_FACS_Codes_v2.xlsx) found",
            where=str(root),
            hint="put the coding .xlsx from the SAMM release in the dataset folder",
        )
    frames_dir = find_dir(root, ("SAMM",)) or root
    table = load_coding(coding, root, COLUMNS, OPTIONAL)
    clips: list[ClipRecord] = []
    issues: list[IngestIssue] = []
    for row, cells in table.rows:
        if not cells["Subject"] or not cells["Filename"]:
            issues.append(IngestIssue(table.file, row, "Subject or Filename is empty"))
            continue
        subject = subject_code(cells["Subject"])
        name = str(cells["Filename"]).strip()
        folder = coded_clip_folder(root, frames_dir, subject, name, table.file, row)
        if isinstance(folder, IngestIssue):
            issues.append(folder)
            continue
        onset, apex, offset = (as_int(cells[c]) for c in ("Onset Frame", "Apex Frame", "Offset Frame"))
        if onset is None or offset is None:
            issues.append(IngestIssue(table.file, row, "Onset Frame/Offset Frame not a number"))
            continue
        offset_unknown = offset <= 0  # SAMM codes an unknown offset as -1
        if offset_unknown:
            offset = None
        listing = listed_frames(root, folder, table.file, row, issues)
        if listing is None:
            continue
        emotion = str(cells["Estimated Emotion"]).strip()
        meta: dict[str, Any] = {
            k: str(cells[k]) for k in ("Inducement Code", "Micro", "Objective Classes", "Notes") if k in cells
        }
        if apex is None:
            meta["apex_missing"] = "true"
        if offset_unknown:
            meta["offset_unknown"] = "true"
        clip = ClipRecord(
            subject=subject,
            name=name,
            path=rel_path(root, folder),
            frames=listing.frames,
            kind="macro" if str(cells.get("Micro", "")).lower().startswith("macro") else "micro",
            fps=FPS,
            onset=onset,
            apex=apex,
            offset=offset,
            action_units=str(cells.get("Action Units", "")).strip(),
            emotion_raw=emotion,
            label=megc_label("samm", emotion),
            meta=meta,
            source_file=table.file,
            source_row=row,
        )
        if not keep_clip(clip, clips, issues):
            continue
        if apex is None:
            issues.append(
                IngestIssue(table.file, row, "Apex Frame is not a number: kept with no apex (flagged)")
            )
    found: dict[str, Any] = {"coding_file": table.file, "header_row": table.header_row}
    return ReadResult(clips=clips, issues=issues, fps=FPS, purpose="micro", meta=found)
