"""Spotted and true intervals of long videos, and the ``video,onset,offset[,type][,emotion][,subject]``
CSV that carries them.

Frame numbers are the recording's own (inclusive onset..offset), so a researcher's spotter output can be
scored against a release's coding without any conversion. A type is ``micro`` or ``macro``; a spotter that
does not say which leaves it empty, and ``type_by_duration`` can fill it in from the video's fps.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from engine.errors import GlimpseError

TYPES = ("micro", "macro")
MICRO_MAX_S = 0.5  # an ME lasts at most half a second (DATASETS.md); longer is a macro-expression
CSV_COLUMNS = ("video", "onset", "offset", "type")
EMOTION_COLUMN, SUBJECT_COLUMN = "emotion", "subject"
NEWLINE = b"\n"


@dataclass(frozen=True)
class Interval:
    """One interval of one video: inclusive recording frame numbers, a type (or ''), optional extras."""

    video: str
    onset: int
    offset: int
    type: str = ""
    score: float | None = None  # a spotter's peak height, kept for the log and the page
    apex: int | None = None
    label: str = ""  # an emotion class (the CSV's ``emotion`` column), for spot-then-recognise
    subject: str = ""  # with a subject, a video is named by subject + video (as STRS-Metric keys them)

    @property
    def length(self) -> int:
        return self.offset - self.onset + 1


def type_by_duration(length_frames: int, fps: float) -> str:
    """``micro`` when the interval lasts at most ``MICRO_MAX_S`` at this fps, else ``macro``."""
    if fps <= 0:
        raise GlimpseError(f"fps must be positive to type an interval by its duration, got {fps}")
    return "micro" if length_frames / fps <= MICRO_MAX_S else "macro"


def spanning(
    video: str, numbers: Sequence[int] | np.ndarray, lo: int, hi: int, peak: int, score: float, fps: float
) -> Interval:
    """The interval over positions lo..hi of a video's frames (``numbers``: recording frame numbers),
    its apex at position ``peak``, typed by duration: how both spotter families report a detection."""
    onset, offset = int(numbers[lo]), int(numbers[hi])
    return Interval(
        video,
        onset,
        offset,
        type_by_duration(offset - onset + 1, fps),
        score=float(score),
        apex=int(numbers[peak]),
    )


def with_types(intervals: Iterable[Interval], fps: float) -> list[Interval]:
    """Untyped intervals get a type from their duration; typed ones keep theirs."""
    return [i if i.type else replace(i, type=type_by_duration(i.length, fps)) for i in intervals]


def _frame(value: str, column: str, where: str) -> int:
    try:
        number = float(value)
    except ValueError:
        raise GlimpseError(f"{column} {value!r} is not a frame number", where=where) from None
    if not number.is_integer():
        raise GlimpseError(f"{column} {value!r} is not a whole frame number", where=where)
    if number < 0:
        raise GlimpseError(f"{column} {value!r} is negative: frame numbers start at 0", where=where)
    return int(number)


@dataclass(frozen=True)
class IntervalsFile:
    """The rows of one intervals CSV and which optional columns it carried."""

    intervals: list[Interval]
    has_emotion: bool
    has_subject: bool


def _interval(row: dict[str, str], where: str) -> Interval:
    if not row["video"]:
        raise GlimpseError("video is empty", where=where)
    onset, offset = _frame(row["onset"], "onset", where), _frame(row["offset"], "offset", where)
    if onset > offset:
        raise GlimpseError(f"onset {onset} is after offset {offset}", where=where)
    kind = row.get("type", "").lower()
    if kind and kind not in TYPES:
        raise GlimpseError(f"type {kind!r} is not one of {', '.join(TYPES)}", where=where)
    return Interval(
        row["video"],
        onset,
        offset,
        kind,
        label=row.get(EMOTION_COLUMN, ""),
        subject=row.get(SUBJECT_COLUMN, ""),
    )


def read_intervals_file(path: str | Path) -> IntervalsFile:
    """Rows of a ``video,onset,offset[,type][,emotion][,subject]`` CSV (other columns are ignored).

    A missing column, a frame that is not a whole non-negative number, onset > offset, an unknown type or
    text that is not UTF-8 raises GlimpseError naming the file and row, so a researcher sees exactly
    what to fix.
    """
    path = Path(path)
    if not path.is_file():
        raise GlimpseError("intervals CSV not found", where=str(path))
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")  # a BOM (Excel's UTF-8) is no column
    except UnicodeDecodeError as error:
        bad_row = raw[: error.start].count(NEWLINE) + 1
        raise GlimpseError(
            f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x})",
            where=f"{path}, row {bad_row}",
            hint="save the CSV as UTF-8",
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    out: list[Interval] = []
    n = 1
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        missing = [c for c in CSV_COLUMNS[:3] if c not in header]
        if missing:
            raise GlimpseError(
                f"missing column(s) {', '.join(missing)}",
                where=str(path),
                hint="the header must be video,onset,offset[,type][,emotion][,subject]",
            )
        for n, row_in in enumerate(reader, start=2):
            row = {str(k).strip().lower(): (v or "").strip() for k, v in row_in.items() if k is not None}
            if any(row.values()):
                out.append(_interval(row, f"{path}, row {n}"))
    except csv.Error as error:
        raise GlimpseError(f"unreadable CSV: {error}", where=f"{path}, row {n + 1}") from None
    return IntervalsFile(out, EMOTION_COLUMN in header, SUBJECT_COLUMN in header)


def read_intervals_csv(path: str | Path) -> list[Interval]:
    """The intervals of a CSV (``read_intervals_file`` says which optional columns it had)."""
    return read_intervals_file(path).intervals


def write_intervals_csv(path: str | Path, intervals: Sequence[Interval]) -> Path:
    """The CSV ``read_intervals_csv`` reads (plus apex and score when known, and the ``emotion`` column
    only when some interval has one, so a run's CSVs are scored for STR exactly when it recognised);
    written whole or not at all."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    emotions = any(i.label for i in intervals)
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([*CSV_COLUMNS, "apex", "score", *([EMOTION_COLUMN] if emotions else [])])
        for i in intervals:
            score = "" if i.score is None else f"{i.score:.6g}"
            apex = "" if i.apex is None else i.apex
            writer.writerow(
                [i.video, i.onset, i.offset, i.type, apex, score, *([i.label] if emotions else [])]
            )
    tmp.replace(path)
    return path
