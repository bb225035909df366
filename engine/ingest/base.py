"""What every dataset reader produces (ClipRecord, ReadResult) and the Reader protocol they follow.

Readers only read: they never write to the dataset folder or the catalog. ``engine.ingest.catalog``
writes a reader's records in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class FrameRecord:
    number: int  # the dataset's frame number, parsed from the file name
    path: str  # relative to the dataset root


@dataclass(frozen=True)
class IntervalRecord:
    """A micro- or macro-expression a long video's code file places inside the video (frame numbers)."""

    onset: int
    offset: int
    apex: int | None  # None when the release codes it as unknown
    type: str  # micro | macro
    name: str = ""  # the release's own name for it (``disgust1_1``, ``006_1_1``)
    emotion: str | None = None  # raw, as coded
    label: str | None = None  # 3-class MEGC label, None = excluded
    aus: str = ""
    flags: tuple[str, ...] = ()  # what the reader had to assume (db.schema FLAG_*)
    row: int | None = None  # spreadsheet row it came from, for issues


@dataclass
class ClipRecord:
    """One clip (or one still image, ``kind='image'``, or a long video, ``kind='recording'``) as a
    reader found it; a recording carries its coded ``intervals`` and no onset/apex/offset of its own."""

    subject: str
    name: str
    path: str  # folder (or video file) relative to the dataset root
    frames: list[FrameRecord]
    kind: str = "micro"  # micro | macro | image | recording (db.schema.CLIP_KINDS)
    fps: float | None = None
    onset: int | None = None  # frame numbers, as coded
    apex: int | None = None
    offset: int | None = None
    apex_estimated: bool = False
    action_units: str = ""
    emotion_raw: str = ""
    label: str | None = None  # mapped label, None when the clip is excluded from the class scheme
    meta: dict[str, Any] = field(default_factory=dict)
    # where the reader found the clip (coding file and its row, or the clip's folder), so a later check —
    # the frame decode of ``engine.ingest.verify`` — reports against the same file and row
    source_file: str = ""
    source_row: int | None = None
    intervals: list[IntervalRecord] = field(default_factory=list)


@dataclass(frozen=True)
class IngestIssue:
    """A row or file a reader could not use, reported rather than silently dropped."""

    file: str
    row: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}, row {self.row}" if self.row is not None else self.file
        return f"{where}: {self.reason}"


@dataclass
class ReadResult:
    clips: list[ClipRecord]
    issues: list[IngestIssue] = field(default_factory=list)
    fps: float | None = None
    purpose: str = "micro"  # micro | macro | faces | spotting (long videos)
    meta: dict[str, Any] = field(default_factory=dict)


class Reader(Protocol):
    def __call__(self, root: Path) -> ReadResult: ...
