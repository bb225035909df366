"""CAS(ME)³ Part A: ``ME_A/spNO.1/b/color/175.jpg`` (subject, video letter, the colour stream; a
``depth`` stream sits beside it and is not read) plus the label file
``cas(me)3_part_A_ME_label_JpgIndex_v2.xlsx``: ``Subject, Filename, Onset, Apex, Offset, AU,
Objective class, emotion`` in frame (jpg) numbers of the video; some MEs have onset = apex.
A macro-expression label file beside it (``…MaE…label…``), when present, adds macro intervals.
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import GlimpseError
from engine.ingest.base import ClipRecord, IngestIssue, IntervalRecord, ReadResult
from engine.ingest.common import (
    Table,
    as_int,
    find_dir,
    find_file,
    load_coding,
    rel_path,
    require_dir,
    subdirs,
)
from engine.ingest.labels import megc_label
from engine.ingest.recordings import PURPOSE, build_recording, coded_interval, resolve_marks
from engine.ingest.registry import register_reader

FPS = 30.0
LABEL_FILES = (
    ("micro", ("cas(me)3_part_A_ME_label*.xlsx", "CAS(ME)3_part_A_ME_label*.xlsx", "*part_A_ME_label*.xls*")),
    (
        "macro",
        ("cas(me)3_part_A_MaE_label*.xlsx", "CAS(ME)3_part_A_MaE_label*.xlsx", "*part_A_MaE_label*.xls*"),
    ),
)
FRAME_DIRS = ("ME_A", "part_A")
STREAM = "color"
COLUMNS = ("Subject", "Filename", "Onset", "Apex", "Offset")
OPTIONAL = ("AU", "Objective class", "emotion")


def video_key(subject: object, letter: object) -> tuple[str, str]:
    """How a label row and a folder are matched: ``spNO.1`` / ``1`` / ``1.0`` → ``1``, letters in lower
    case (label files of different versions write the subject either way)."""
    text = str(subject).strip()
    number = as_int(text)
    return (
        str(number) if number is not None else text.split(".")[-1].strip().lower(),
        str(letter).strip().lower(),
    )


def _intervals(
    table: Table, kind: str, videos: dict[tuple[str, str], Path], root: Path, frames_dir: Path
) -> tuple[dict[tuple[str, str], list[IntervalRecord]], list[IngestIssue]]:
    coded: dict[tuple[str, str], list[IntervalRecord]] = {}
    issues: list[IngestIssue] = []
    for row, cells in table.rows:
        subject, letter = str(cells["Subject"]).strip(), str(cells["Filename"]).strip()
        if not subject or not letter:
            issues.append(IngestIssue(table.file, row, "Subject or Filename is empty"))
            continue
        marks = resolve_marks(*(as_int(cells[c]) for c in ("Onset", "Apex", "Offset")))
        if isinstance(marks, str):
            issues.append(IngestIssue(table.file, row, marks))
            continue
        if video_key(subject, letter) not in videos:
            where = f"{rel_path(root, frames_dir)}/{subject}/{letter}/{STREAM}"
            issues.append(IngestIssue(table.file, row, f"video {subject}/{letter} has no folder {where!r}"))
            continue
        emotion = str(cells.get("emotion", "")).strip() or None
        coded.setdefault(video_key(subject, letter), []).append(
            coded_interval(
                marks,
                kind,
                f"{subject}_{letter}_{row}",
                emotion,
                megc_label("casme3", emotion) if emotion else None,
                str(cells.get("AU", "")).strip(),
                row,
            )
        )
    return coded, issues


@register_reader("casme3")
def read(root: Path) -> ReadResult:
    """Read CAS(ME)³ Part A: one recording per ``<subject>/<letter>/color`` folder, one interval per row."""
    root = require_dir(root)
    frames_dir = find_dir(root, FRAME_DIRS)
    if frames_dir is None:
        raise GlimpseError(
            "no 'ME_A' folder found", where=str(root), hint="point at the CAS(ME)³ Part A root"
        )
    folders = {
        (subject.name, letter.name): letter / STREAM
        for subject in subdirs(frames_dir)
        for letter in subdirs(subject)
        if (letter / STREAM).is_dir()
    }
    videos = {video_key(*key): folder for key, folder in folders.items()}
    files = [(kind, find_file(root, patterns)) for kind, patterns in LABEL_FILES]
    if files[0][1] is None:
        raise GlimpseError(
            "no CAS(ME)³ label file (cas(me)3_part_A_ME_label_JpgIndex_v2.xlsx) found",
            where=str(root),
            hint="put the Part A label .xlsx from the release in the dataset folder",
        )
    issues: list[IngestIssue] = []
    coded: dict[tuple[str, str], list[IntervalRecord]] = {}
    code_files = []
    for kind, path in files:
        if path is None:
            continue
        table = load_coding(path, root, COLUMNS, OPTIONAL)
        code_files.append(table.file)
        found, problems = _intervals(table, kind, videos, root, frames_dir)
        issues.extend(problems)
        for key, intervals in found.items():
            coded.setdefault(key, []).extend(intervals)
    clips: list[ClipRecord] = []
    for (subject, letter), folder in sorted(folders.items()):
        name = f"{subject}_{letter}"
        intervals = coded.get(video_key(subject, letter), [])
        record = build_recording(root, folder, subject, name, FPS, intervals, code_files[0], issues)
        if record is not None:
            clips.append(record)
    return ReadResult(clips=clips, issues=issues, fps=FPS, purpose=PURPOSE, meta={"coding_files": code_files})
