"""Helpers every reader shares: frame listing by file-name number, header-row search, clip structure checks.

Datasets are read exactly as distributed, so these helpers never assume a fixed header row or a listing
order; anything unusable becomes an ``IngestIssue`` naming the file and row.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from engine.errors import GlimpseError
from engine.ingest.base import ClipRecord, FrameRecord, IngestIssue

IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff"})
VIDEO_EXTENSIONS = frozenset({".avi", ".mp4", ".mov", ".mkv"})
_LAST_NUMBER = re.compile(r"(\d+)(?!.*\d)")


def frame_number(file_name: str) -> int | None:
    """The frame number a dataset encodes in a file name: the last run of digits in the stem."""
    match = _LAST_NUMBER.search(os.path.splitext(os.path.basename(file_name))[0])
    return int(match.group(1)) if match else None


def natural_key(text: str) -> list[Any]:
    """Sort key that orders ``img2`` before ``img10`` (what a human means by frame order)."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text)]


@dataclass(frozen=True)
class FrameListing:
    frames: list[FrameRecord]  # ordered by frame number
    escaping: list[str]  # relative paths of symlinks (frames, or the folder itself) that leave the root
    duplicates: list[str]  # files whose number another file already had
    folder_escapes: bool = False  # the folder itself resolves outside the root (a linked directory)

    def escape_issue(self, file: str, row: int | None) -> IngestIssue | None:
        """The issue to report when a frame or its folder links out of the dataset root (the clip is then
        skipped)."""
        if not self.escaping:
            return None
        what = "folder" if self.folder_escapes else "frame"
        return IngestIssue(file, row, f"{what} {self.escaping[0]!r} links outside the dataset")


def list_frames(root: Path, folder: Path) -> FrameListing:
    """Image files of ``folder`` keyed by the number in their names (json, hidden and other files ignored)."""
    root_resolved = root.resolve()
    found: dict[int, FrameRecord] = {}
    escaping: list[str] = []
    duplicates: list[str] = []
    prefix = rel_path(root, folder)
    if not _inside(root_resolved, Path(folder).resolve()):
        return FrameListing([], [prefix], [], folder_escapes=True)  # it, or a folder above it, links out
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return FrameListing([], [], [])
    prefix = "" if prefix == "." else prefix + "/"
    for entry in entries:
        if entry.name.startswith(".") or os.path.splitext(entry.name)[1].lower() not in IMAGE_EXTENSIONS:
            continue
        number = frame_number(entry.name)
        if number is None:
            continue
        rel = prefix + entry.name
        if entry.is_symlink() and not _inside(root_resolved, Path(entry.path).resolve()):
            escaping.append(rel)
            continue
        if number in found:
            duplicates.append(rel)
            continue
        found[number] = FrameRecord(number=number, path=rel)
    return FrameListing([found[n] for n in sorted(found)], escaping, duplicates)


def listed_frames(
    root: Path, folder: Path, file: str, row: int | None, issues: list[IngestIssue]
) -> FrameListing | None:
    """``list_frames`` for a reader: None, with its issue recorded, when a frame or the folder links out
    of the dataset root (the reader then skips the clip)."""
    listing = list_frames(root, folder)
    if escaped := listing.escape_issue(file, row):
        issues.append(escaped)
        return None
    return listing


def _inside(root_resolved: Path, candidate: Path) -> bool:
    return candidate == root_resolved or root_resolved in candidate.parents


def rel_path(root: Path, path: Path) -> str:
    """``path`` relative to ``root`` with forward slashes (how the catalog stores paths)."""
    return Path(os.path.relpath(path, root)).as_posix()


def inside_root(root: Path, relative: str | Path) -> Path | None:
    """``root / relative`` resolved, or None when it escapes the root (``..``, absolute, symlink)."""
    root_resolved = root.resolve()
    candidate = (root_resolved / relative).resolve()
    return candidate if _inside(root_resolved, candidate) else None


def coded_clip_folder(
    root: Path, frames_dir: Path, subject: str, name: str, file: str, row: int
) -> Path | IngestIssue:
    """The frame folder ``frames_dir/subject/name`` of a coding row, or the issue saying why it is unusable
    (it escapes the dataset root, or it is not there)."""
    folder = inside_root(frames_dir, Path(subject) / name)
    if folder is None or inside_root(root, folder) is None:
        return IngestIssue(file, row, f"clip path {subject}/{name!r} escapes the dataset folder")
    if not folder.is_dir():
        return IngestIssue(file, row, f"clip folder {rel_path(root, folder)!r} not found")
    return folder


def check_clip_frames(clip: ClipRecord) -> IngestIssue | None:
    """Check a clip's structure: frames present, coded range ordered, inside the frames, without gaps.

    Issues name ``clip.source_file``/``source_row``. File contents are checked later, all frames of all
    clips decoded in parallel (``engine.ingest.verify``), so this stays cheap and per-row.
    """
    file, row = clip.source_file or clip.path, clip.source_row
    if not clip.frames:
        return IngestIssue(file, row, f"no image frames found in {clip.path!r}")
    numbers = [f.number for f in clip.frames]
    first, last = numbers[0], numbers[-1]
    coded = [(n, v) for n, v in (("onset", clip.onset), ("apex", clip.apex), ("offset", clip.offset)) if v]
    if clip.onset is not None and clip.offset is not None and clip.onset > clip.offset:
        return IngestIssue(file, row, f"onset {clip.onset} is after offset {clip.offset}")
    if clip.apex is not None and clip.onset is not None and clip.apex < clip.onset:
        return IngestIssue(file, row, f"apex {clip.apex} is before onset {clip.onset}")
    if clip.apex is not None and clip.offset is not None and clip.apex > clip.offset:
        return IngestIssue(file, row, f"apex {clip.apex} is after offset {clip.offset}")
    for name, value in coded:
        if not first <= value <= last:
            return IngestIssue(file, row, f"{name} frame {value} is outside the clip's frames {first}–{last}")
    lo = clip.onset if clip.onset is not None else first
    hi = clip.offset if clip.offset is not None else last
    present = set(numbers)
    missing = [n for n in range(lo, hi + 1) if n not in present]
    if missing:
        shown = ", ".join(str(n) for n in missing[:5]) + (" …" if len(missing) > 5 else "")
        return IngestIssue(
            file, row, f"{len(missing)} frame(s) missing inside {lo}–{hi} in {clip.path!r}: {shown}"
        )
    return None


def keep_clip(clip: ClipRecord, clips: list[ClipRecord], issues: list[IngestIssue]) -> bool:
    """A reader's last step for one clip: keep it when ``check_clip_frames`` finds nothing, else record
    the issue instead (the clip is skipped). True when kept."""
    problem = check_clip_frames(clip)
    if problem:
        issues.append(problem)
        return False
    clips.append(clip)
    return True


def _norm(value: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(value).lower()) if value is not None else ""


def read_table(path: Path, root: Path) -> dict[str, pd.DataFrame]:
    """Every sheet of an .xlsx/.xls (or the one table of a .csv) as strings, no header assumed."""
    where = rel_path(root, path)
    try:
        if path.suffix.lower() == ".csv":
            return {"csv": pd.read_csv(path, header=None, dtype=object, keep_default_na=False)}
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object)
    except Exception as error:  # noqa: BLE001 (any parser failure is the user's file)
        raise GlimpseError(
            f"cannot read the coding file ({type(error).__name__}: {error})",
            where=where,
            hint="check it opens in a spreadsheet program",
        ) from error
    return dict(sheets)


@dataclass(frozen=True)
class Table:
    """A coding sheet with its header row found: ``rows`` are (spreadsheet row number, {column: value})."""

    file: str
    sheet: str
    header_row: int  # 1-based spreadsheet row of the header
    columns: dict[str, int]  # normalised wanted name → column position
    rows: list[tuple[int, dict[str, Any]]]


def find_header(
    frame: pd.DataFrame, required: Sequence[str], optional: Sequence[str] = (), scan: int = 60
) -> tuple[int, dict[str, int]] | None:
    """Locate the header row by its column names (never by position): the first row holding all required."""
    wanted = {_norm(n): n for n in [*required, *optional]}
    for i in range(min(scan, len(frame))):
        cells = {_norm(v): j for j, v in enumerate(frame.iloc[i].tolist()) if _norm(v)}
        if all(_norm(n) in cells for n in required):
            return i, {wanted[k]: cells[k] for k in wanted if k in cells}
    return None


def load_coding(path: Path, root: Path, required: Sequence[str], optional: Sequence[str] = ()) -> Table:
    """The first sheet whose header row holds the required columns; a GlimpseError names what is missing."""
    where = rel_path(root, path)
    sheets = read_table(path, root)
    best_missing: list[str] | None = None
    for sheet, frame in sheets.items():
        found = find_header(frame, required, optional)
        if found is None:
            present = {_norm(v) for row in frame.head(60).itertuples(index=False) for v in row}
            missing = [n for n in required if _norm(n) not in present]
            if best_missing is None or len(missing) < len(best_missing):
                best_missing = missing
            continue
        header, columns = found
        rows = []
        for i in range(header + 1, len(frame)):
            values = frame.iloc[i].tolist()
            record = {name: _clean(values[j]) for name, j in columns.items()}
            if all(v in ("", None) for v in record.values()):
                continue  # blank spreadsheet row
            rows.append((i + 1, record))
        return Table(where, str(sheet), header + 1, columns, rows)
    absent = ", ".join(best_missing or required)
    raise GlimpseError(
        f"no header row with the columns {', '.join(required)} (missing: {absent})",
        where=where,
        hint="the coding file must keep the dataset's own column names",
    )


def _clean(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer():
            return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def as_int(value: Any) -> int | None:
    """An integer cell (``46``, ``46.0``, ``"46"``), or None for anything else (``/``, blank, text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
        return int(float(text))
    return None


def find_file(root: Path, patterns: Sequence[str], max_depth: int = 3) -> Path | None:
    """The first file (shallowest, then by name) whose name matches one of the glob ``patterns``."""
    for depth in range(max_depth + 1):
        prefix = "*/" * depth
        for pattern in patterns:
            hits = sorted(
                p for p in root.glob(prefix + pattern) if p.is_file() and not p.name.startswith("~$")
            )
            if hits:
                return hits[0]
    return None


def find_dir(root: Path, names: Sequence[str], max_depth: int = 2) -> Path | None:
    """The shallowest folder below ``root`` named one of ``names`` (case-insensitive), else ``root`` itself
    when it has such a name (a user may point at the frames folder directly)."""
    lowered = [n.lower() for n in names]
    for depth in range(max_depth):
        level = sorted(p for p in root.glob("*/" * depth + "*") if p.is_dir())
        for name in lowered:
            for path in level:
                if path.name.lower() == name:
                    return path
    return root if root.name.lower() in lowered else None


def subdirs(folder: Path) -> list[Path]:
    """Visible sub-folders in natural order."""
    if not folder.is_dir():
        return []
    return sorted(
        (p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: natural_key(p.name),
    )


def require_dir(root: Path) -> Path:
    if not root.exists():
        raise GlimpseError("dataset folder does not exist", where=str(root), hint="check the path")
    if not root.is_dir():
        raise GlimpseError(
            "dataset path is not a folder", where=str(root), hint="pass the dataset's root folder"
        )
    return root
