"""CAS(ME)² long videos: ``rawpic/s15/15_0101disgustingteeth/img1.jpg`` plus the code file
(``CAS(ME)^2code_final.xlsx``), read as distributed:

- sheet 1 has NO header: subject number, interval name (``disgust1_1`` = video ``disgust1``, interval 1),
  onset, apex, offset (0 = unknown), AUs, emotion category, type (``micro-expression`` /
  ``macro-expression``), self-reported emotion;
- sheet 2 ("naming rule1") maps subject numbers to the folder codes: ``<…> | s15 | 1``;
- sheet 3 ("naming rule2") maps video names to 4-digit codes: ``101 | disgust1`` (Excel drops the
  leading zero: ``0101``).

Each video folder becomes one recording (30 fps) and each code row one interval inside it. The naming
sheets are found by what they hold, not by position or name.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from engine.errors import GlimpseError
from engine.ingest.base import ClipRecord, IngestIssue, IntervalRecord, ReadResult
from engine.ingest.common import as_int, find_dir, find_file, read_table, rel_path, require_dir, subdirs
from engine.ingest.labels import megc_label
from engine.ingest.recordings import PURPOSE, build_recording, coded_interval, expression_type, resolve_marks
from engine.ingest.registry import register_reader

FPS = 30.0
# names only a CAS(ME)² code file has (auto-detection), then looser ones the reader also accepts
SIGNATURE_PATTERNS = ("CAS(ME)^2code*.xlsx", "CAS(ME)2code*.xlsx", "*code_final*.xlsx")
CODE_PATTERNS = (*SIGNATURE_PATTERNS, "*code*.xlsx", "*code*.xls")
SIGNATURE_DIRS = ("rawpic", "rawpic_aligned")  # "cropped" alone could be any release's
FRAME_DIRS = (*SIGNATURE_DIRS, "cropped")
N_COLUMNS = 9
_SUBJECT_CODE = re.compile(r"^s\d+$", re.IGNORECASE)
_VIDEO_FOLDER = re.compile(r"^(\d+)_(\d{4})(.*)$")


def _cells(frame: pd.DataFrame, i: int) -> list[Any]:
    return [("" if (isinstance(v, float) and v != v) else v) for v in frame.iloc[i].tolist()]


def _text(value: Any) -> str:
    number = as_int(value)
    return str(number) if number is not None else str(value).strip()


def subject_codes(frame: pd.DataFrame) -> dict[int, str]:
    """Subject number → folder code (``1`` → ``s15``) from a sheet of ``<…> | s15 | 1`` rows."""
    out: dict[int, str] = {}
    for i in range(len(frame)):
        cells = _cells(frame, i)
        codes = [str(c).strip() for c in cells if _SUBJECT_CODE.match(str(c).strip())]
        numbers = [n for n in map(as_int, cells) if n is not None]
        if codes and numbers:
            third = as_int(cells[2]) if len(cells) > 2 else None  # the release's column of subject numbers
            out[third if third is not None else numbers[-1]] = codes[0].lower()
    return out


def video_codes(frame: pd.DataFrame) -> dict[str, str]:
    """Video name → 4-digit code (``disgust1`` → ``0101``) from a sheet of ``101 | disgust1`` rows."""
    out: dict[str, str] = {}
    for i in range(len(frame)):
        cells = _cells(frame, i)
        numbers = [n for n in map(as_int, cells) if n is not None]
        names = [str(c).strip() for c in cells if re.search(r"[a-zA-Z]", str(c))]
        if numbers and names and 0 < numbers[0] <= 9999 and not _SUBJECT_CODE.match(names[0]):
            out[names[0].lower()] = f"{numbers[0]:04d}"
    return out


def _naming_sheets(sheets: dict[str, pd.DataFrame], where: str) -> tuple[dict[int, str], dict[str, str]]:
    subjects: dict[int, str] = {}
    videos: dict[str, str] = {}
    for frame in list(sheets.values())[1:]:
        found_subjects = subject_codes(frame)
        if found_subjects:
            subjects = subjects or found_subjects
        else:
            videos = videos or video_codes(frame)
    missing = [
        n for n, m in (("subject numbers → s-codes", subjects), ("video names → codes", videos)) if not m
    ]
    if missing:
        raise GlimpseError(
            f"the code file has no naming sheet for {' and '.join(missing)}",
            where=where,
            hint="use the release's code file: sheets 2 and 3 map subjects and videos to folder names",
        )
    return subjects, videos


def _video_folders(root: Path, raw: Path, issues: list[IngestIssue]) -> dict[tuple[str, str], Path]:
    """(subject code, 4-digit video code) → frame folder, for every ``<nn>_<code><name>`` folder."""
    out: dict[tuple[str, str], Path] = {}
    for subject_dir in subdirs(raw):
        for folder in subdirs(subject_dir):
            match = _VIDEO_FOLDER.match(folder.name)
            if not match:
                issues.append(
                    IngestIssue(
                        rel_path(root, folder), None, "folder name is not <subject>_<4-digit code><name>"
                    )
                )
                continue
            key = (subject_dir.name.lower(), match.group(2))
            if key in out:
                reason = f"a second folder for video code {key[1]} (kept {out[key].name!r})"
                issues.append(IngestIssue(rel_path(root, folder), None, reason))
                continue
            out[key] = folder
    return out


@register_reader("casme_sq")
def read(root: Path) -> ReadResult:
    """Read CAS(ME)²: one recording per video folder, one interval per code row."""
    root = require_dir(root)
    raw = find_dir(root, FRAME_DIRS)
    if raw is None:
        raise GlimpseError("no 'rawpic' folder found", where=str(root), hint="point at the CAS(ME)² root")
    code_file = find_file(root, CODE_PATTERNS)
    if code_file is None:
        raise GlimpseError("no CAS(ME)² code file (CAS(ME)^2code_final.xlsx) found", where=str(root))
    where = rel_path(root, code_file)
    sheets = read_table(code_file, root)
    subjects, videos = _naming_sheets(sheets, where)
    issues: list[IngestIssue] = []
    folders = _video_folders(root, raw, issues)
    coded: dict[tuple[str, str], list[IntervalRecord]] = {key: [] for key in folders}
    first_sheet = next(iter(sheets.values()))
    for i in range(len(first_sheet)):
        row = i + 1
        values = [_text(v) for v in _cells(first_sheet, i)]
        if not any(values):
            continue
        values += [""] * (N_COLUMNS - len(values))
        number, name = as_int(values[0]), values[1]
        marks = resolve_marks(*(as_int(v) for v in values[2:5]))
        if number is None and i == 0:
            continue  # a header row someone added: the release has none
        if number is None or not name:
            issues.append(IngestIssue(where, row, "subject number or interval name (columns 1–2) is empty"))
            continue
        if isinstance(marks, str):
            issues.append(IngestIssue(where, row, marks))
            continue
        kind = expression_type(values[7])
        if kind is None:
            issues.append(
                IngestIssue(where, row, f"type {values[7]!r} is neither micro- nor macro-expression")
            )
            continue
        subject = subjects.get(number)
        video = re.sub(r"_\d+$", "", name).lower()
        code = videos.get(video)
        if subject is None or code is None:
            what = f"subject {number}" if subject is None else f"video name {video!r}"
            issues.append(IngestIssue(where, row, f"{what} is not in the code file's naming sheets"))
            continue
        if (subject, code) not in folders:
            issues.append(
                IngestIssue(
                    where,
                    row,
                    f"video {video!r} of subject {number} has no folder {rel_path(root, raw)}/{subject}/"
                    f"<nn>_{code}…",
                )
            )
            continue
        category = values[6]
        coded[(subject, code)].append(
            coded_interval(
                marks,
                kind,
                name,
                values[8] or category or None,
                megc_label("casme_sq", category),
                values[5],
                row,
            )
        )
    clips: list[ClipRecord] = []
    for (subject, _code), folder in sorted(folders.items(), key=lambda kv: str(kv[1])):
        record = build_recording(
            root, folder, subject, folder.name, FPS, coded[(subject, _code)], where, issues
        )
        if record is not None:
            clips.append(record)
    return ReadResult(clips=clips, issues=issues, fps=FPS, purpose=PURPOSE, meta={"coding_file": where})
