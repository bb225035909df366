"""What the long-video readers (CAS(ME)², SAMM Long Videos, CAS(ME)³) share: unknown marks resolved
the MEGC way, coded intervals checked against their video's frames, a frame folder turned into one
recording with its intervals.

A recording is only ingested whole: a video with missing or undecodable frames is reported and left
out (against the code row that names it), so spotting never runs over holes it cannot see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from db.schema import FLAG_APEX_UNKNOWN, FLAG_OFFSET_UNKNOWN, INTERVAL_TYPES, RECORDING
from engine.ingest.base import ClipRecord, IngestIssue, IntervalRecord
from engine.ingest.common import listed_frames, rel_path

PURPOSE = "spotting"  # ReadResult.purpose of a long-video dataset


@dataclass(frozen=True)
class Marks:
    """onset/apex/offset of one code row after the release's "unknown" codes are resolved."""

    onset: int
    apex: int | None
    offset: int
    flags: tuple[str, ...]


def resolve_marks(onset: int | None, apex: int | None, offset: int | None) -> Marks | str:
    """Marks with unknowns (``0``, ``-1``, blank, ``/``) resolved, or why the row cannot be placed.

    An unknown apex stays None (flagged); an unknown offset becomes the apex (flagged) — the rule
    MEGC spotting code applies to CAS(ME)²'s ``offset 0``. An unknown onset cannot be placed.
    """
    flags: list[str] = []
    if onset is None or onset <= 0:
        return f"onset {onset if onset is not None else 'blank'} is unknown: the interval cannot be placed"
    if apex is not None and apex <= 0:
        apex = None
    if apex is None:
        flags.append(FLAG_APEX_UNKNOWN)
    if offset is None or offset <= 0:
        if apex is None:
            return "offset and apex are both unknown: the interval has no end"
        offset = apex
        flags.append(FLAG_OFFSET_UNKNOWN)
    return Marks(onset, apex, offset, tuple(flags))


def coded_interval(
    marks: Marks, kind: str, name: str, emotion: str | None, label: str | None, aus: str, row: int
) -> IntervalRecord:
    """The interval of one code row once its marks are resolved (what every long-video reader keeps)."""
    return IntervalRecord(
        onset=marks.onset,
        apex=marks.apex,
        offset=marks.offset,
        type=kind,
        name=name,
        emotion=emotion,
        label=label,
        aus=aus,
        flags=marks.flags,
        row=row,
    )


def expression_type(text: object) -> str | None:
    """``micro`` / ``macro`` from a release's type cell (``micro-expression``, ``Micro - 1/2``, ``Macro``)."""
    value = str(text).strip().lower()
    found = [t for t in INTERVAL_TYPES if value.startswith(t)]
    return found[0] if found else None


def interval_problem(interval: IntervalRecord, first: int, last: int) -> str | None:
    """Why an interval does not fit its video (order of the marks, inside ``first``–``last``), or None."""
    if interval.onset > interval.offset:
        return f"onset {interval.onset} is after offset {interval.offset}"
    if interval.apex is not None and not interval.onset <= interval.apex <= interval.offset:
        return f"apex {interval.apex} is outside onset–offset {interval.onset}–{interval.offset}"
    if interval.onset < first or interval.offset > last:
        return f"interval {interval.onset}–{interval.offset} is outside the video's frames {first}–{last}"
    return None


def build_recording(
    root: Path,
    folder: Path,
    subject: str,
    name: str,
    fps: float,
    intervals: Sequence[IntervalRecord],
    code_file: str,
    issues: list[IngestIssue],
) -> ClipRecord | None:
    """One recording from a frame folder and the intervals coded for it, or None (reported) when the
    folder is unusable: no frames, a link out of the dataset, frame numbers with holes. Every frame is
    decoded afterwards (``engine.ingest.verify``): a recording with a bad frame is left out whole."""
    rows = sorted(i.row for i in intervals if i.row is not None)
    row = rows[0] if rows else None
    file = code_file if rows else rel_path(root, folder)
    also = f" (code rows {', '.join(map(str, rows))} name it)" if len(rows) > 1 else ""
    where = rel_path(root, folder)
    listing = listed_frames(root, folder, file, row, issues)
    if listing is None:
        return None
    if not listing.frames:
        issues.append(IngestIssue(file, row, f"video folder {where!r} holds no image frames{also}"))
        return None
    numbers = [f.number for f in listing.frames]
    first, last = numbers[0], numbers[-1]
    if len(numbers) != last - first + 1:
        present = set(numbers)
        missing = [n for n in range(first, last + 1) if n not in present]
        shown = ", ".join(str(n) for n in missing[:5]) + (" …" if len(missing) > 5 else "")
        issues.append(
            IngestIssue(
                file,
                row,
                f"video {where!r} is missing {len(missing)} frame(s) inside {first}–{last}: {shown}; "
                f"the video is left out{also}",
            )
        )
        return None
    kept = []
    for interval in intervals:
        problem = interval_problem(interval, first, last)
        if problem:
            issues.append(IngestIssue(code_file, interval.row, f"{problem} (video {name!r})"))
            continue
        kept.append(interval)
    kept.sort(key=lambda i: (i.onset, i.offset, i.row or 0))
    return ClipRecord(
        subject=subject,
        name=name,
        path=where,
        frames=listing.frames,
        kind=RECORDING,
        fps=fps,
        intervals=kept,
        source_file=file,  # where engine.ingest.verify reports a frame that does not decode
        source_row=row,
    )
