"""SAMM Long Videos: ``SAMM_longvideos/006_1/006_1_00001.jpg`` (frame number absolute within the video)
plus the release xlsx (``SAMM_LongVideos_V*_Release.xlsx``) whose header sits below about ten note rows:
``Subject, Filename, Inducement Code, Onset, Apex, Offset, Duration, Type, Action Units, Notes``.
Filename ``006_1_1`` is interval 1 of video ``006_1``; Type is ``Micro - 1/2`` or ``Macro``. The
release carries no emotions: micro rows take theirs from the SAMM micro coding file when it is beside
(``SAMM_Micro_FACS_Codes_v2.xlsx``, same Filename), as MEGC spot-then-recognise does.
"""

from __future__ import annotations

import re
from pathlib import Path

from engine.errors import GlimpseError
from engine.ingest.base import ClipRecord, IngestIssue, IntervalRecord, ReadResult
from engine.ingest.common import as_int, find_dir, find_file, load_coding, rel_path, require_dir, subdirs
from engine.ingest.labels import megc_label
from engine.ingest.recordings import PURPOSE, build_recording, coded_interval, expression_type, resolve_marks
from engine.ingest.registry import register_reader
from engine.ingest.samm import MICRO_CODING_PATTERNS, subject_code

FPS = 200.0
CODE_PATTERNS = ("SAMM_LongVideos*Release*.xlsx", "SAMM_LongVideos*.xlsx", "SAMM*Long*Videos*.xlsx")
FRAME_DIRS = ("SAMM_longvideos", "SAMM_LongVideos")
COLUMNS = ("Subject", "Filename", "Onset", "Apex", "Offset", "Type")
OPTIONAL = ("Inducement Code", "Duration", "Action Units", "Notes")
_INTERVAL_NAME = re.compile(r"^(\d+_\d+)_(\d+)$")


def micro_emotions(root: Path) -> dict[str, str]:
    """Filename → Estimated Emotion from the SAMM micro coding file, or {} when it is not there."""
    path = find_file(root, MICRO_CODING_PATTERNS, max_depth=1)  # not down into the frame folders
    if path is None:
        return {}
    table = load_coding(path, root, ("Filename", "Estimated Emotion"))
    return {str(c["Filename"]).strip(): str(c["Estimated Emotion"]).strip() for _, c in table.rows}


@register_reader("samm_lv")
def read(root: Path) -> ReadResult:
    """Read SAMM Long Videos: one recording per video folder, one interval per release row."""
    root = require_dir(root)
    frames_dir = find_dir(root, FRAME_DIRS)
    if frames_dir is None:
        raise GlimpseError(
            "no 'SAMM_longvideos' folder found", where=str(root), hint="point at the release root"
        )
    code_file = find_file(root, CODE_PATTERNS)
    if code_file is None:
        raise GlimpseError(
            "no SAMM Long Videos release xlsx (SAMM_LongVideos_V*_Release.xlsx) found", where=str(root)
        )
    table = load_coding(code_file, root, COLUMNS, OPTIONAL)
    emotions = micro_emotions(root)
    issues: list[IngestIssue] = []
    folders = {p.name: p for p in subdirs(frames_dir)}
    coded: dict[str, list[IntervalRecord]] = {name: [] for name in folders}
    for row, cells in table.rows:
        name = str(cells["Filename"]).strip()
        match = _INTERVAL_NAME.match(name)
        if not match:
            issues.append(
                IngestIssue(table.file, row, f"Filename {name!r} is not <subject>_<video>_<interval>")
            )
            continue
        video = match.group(1)
        kind = expression_type(cells["Type"])
        if kind is None:
            issues.append(IngestIssue(table.file, row, f"Type {cells['Type']!r} is neither Micro nor Macro"))
            continue
        marks = resolve_marks(*(as_int(cells[c]) for c in ("Onset", "Apex", "Offset")))
        if isinstance(marks, str):
            issues.append(IngestIssue(table.file, row, marks))
            continue
        if video not in folders:
            where = rel_path(root, frames_dir)
            issues.append(IngestIssue(table.file, row, f"video {video!r} has no folder in {where!r}"))
            continue
        emotion = emotions.get(name) if kind == "micro" else None
        coded[video].append(
            coded_interval(
                marks,
                kind,
                name,
                emotion,
                megc_label("samm", emotion) if emotion else None,
                str(cells.get("Action Units", "")).strip(),
                row,
            )
        )
    clips: list[ClipRecord] = []
    for video, folder in sorted(folders.items()):
        subject = subject_code(video.split("_")[0])
        record = build_recording(root, folder, subject, video, FPS, coded[video], table.file, issues)
        if record is not None:
            clips.append(record)
    meta = {"coding_file": table.file, "header_row": table.header_row, "emotions_from": bool(emotions)}
    return ReadResult(clips=clips, issues=issues, fps=FPS, purpose=PURPOSE, meta=meta)
