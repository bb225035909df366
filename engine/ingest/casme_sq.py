"""CAS(ME)²: long videos as frames, ``rawpic/s15/15_0101disgustingteeth/img001.jpg``, plus a code file
with NO header row: subject, video, onset, apex, offset (0 = unknown), AUs, emotion category,
expression type (macro/micro), emotion. Each code row is one clip inside a video, at 30 fps.

The video column is matched to a folder by name (exact, ``<subject>_<video>``, or contained); when the
code file carries a naming sheet (a 4-digit code beside a name such as ``0101 | anger1``), names like
``anger1_1`` are resolved through it. That naming is the least standard part of the release.
"""

from __future__ import annotations

import re
from pathlib import Path

from engine.errors import GlimpseError
from engine.ingest.base import ClipRecord, IngestIssue, ReadResult, register
from engine.ingest.common import (
    as_int,
    check_clip_frames,
    find_dir,
    find_file,
    list_frames,
    read_table,
    rel_path,
    require_dir,
    subdirs,
)
from engine.ingest.labels import megc_label

FPS = 30.0
CODE_PATTERNS = ("*code*.xlsx", "*code*.xls", "*code*.csv", "*Code*.xlsx", "*Code*.csv")
N_COLUMNS = 9


def _naming(sheets: dict) -> dict[str, str]:
    """``anger1`` → ``0101`` from any sheet that pairs a 4-digit code with a name."""
    names: dict[str, str] = {}
    for frame in sheets.values():
        for values in frame.itertuples(index=False):
            cells = [str(v).strip() for v in values if str(v).strip() not in ("", "nan")]
            codes = [c for c in cells if re.fullmatch(r"\d{4}", c)]
            texts = [c for c in cells if re.search(r"[a-zA-Z]", c)]
            if codes and texts:
                names[texts[0].lower()] = codes[0]
    return names


def _subject_dir(raw: Path, subject: str) -> Path | None:
    number = as_int(subject)
    candidates = [subject, f"s{subject}"] + ([f"s{number:02d}", f"s{number}"] if number is not None else [])
    for name in candidates:
        if (raw / name).is_dir():
            return raw / name
    return None


def _video_dir(subject_dir: Path, video: str, naming: dict[str, str]) -> Path | None:
    folders = subdirs(subject_dir)
    wanted = video.lower()
    for folder in folders:
        name = folder.name.lower()
        if name == wanted or name.split("_", 1)[-1] == wanted:
            return folder
    base = re.sub(r"_\d+$", "", wanted)
    code = naming.get(base) or naming.get(wanted)
    if code:
        for folder in folders:
            if folder.name.split("_", 1)[-1].startswith(code):
                return folder
    matches = [f for f in folders if wanted in f.name.lower()]
    return matches[0] if len(matches) == 1 else None


@register("casme_sq")
def read(root: Path) -> ReadResult:
    """Read CAS(ME)²: one clip per code row (macro and micro), frames cut from the video's folder."""
    root = require_dir(root)
    raw = find_dir(root, ("rawpic", "rawpic_aligned", "cropped"))
    if raw is None:
        raise GlimpseError("no 'rawpic' folder found", where=str(root), hint="point at the CAS(ME)² root")
    code_file = find_file(root, CODE_PATTERNS)
    if code_file is None:
        raise GlimpseError("no CAS(ME)² code file (*code*.xlsx) found", where=str(root))
    where = rel_path(root, code_file)
    sheets = read_table(code_file, root)
    first_sheet = next(iter(sheets.values()))
    naming = _naming(dict(list(sheets.items())[1:]))
    clips: list[ClipRecord] = []
    issues: list[IngestIssue] = []
    listings: dict[Path, list] = {}
    seen: set[tuple[str, str]] = set()
    for i in range(len(first_sheet)):
        row = i + 1
        values = [str(v).strip() if str(v) != "nan" else "" for v in first_sheet.iloc[i].tolist()]
        if not any(values):
            continue
        values += [""] * (N_COLUMNS - len(values))
        subject, video = values[0], values[1]
        onset, apex, offset = (as_int(v) for v in values[2:5])
        if onset is None or apex is None or offset is None:
            if i == 0:
                continue  # a header row someone added: the release has none
            issues.append(IngestIssue(where, row, "onset/apex/offset (columns 3–5) are not numbers"))
            continue
        subject_dir = _subject_dir(raw, subject)
        if subject_dir is None:
            issues.append(
                IngestIssue(where, row, f"no folder for subject {subject!r} in {rel_path(root, raw)!r}")
            )
            continue
        video_dir = _video_dir(subject_dir, video, naming)
        if video_dir is None:
            folder = rel_path(root, subject_dir)
            issues.append(IngestIssue(where, row, f"no frames folder for video {video!r} in {folder!r}"))
            continue
        if onset == 0:
            issues.append(IngestIssue(where, row, "onset is 0 (unknown): the clip cannot be located"))
            continue
        apex_v = apex or None
        end = offset or apex_v or onset
        if video_dir not in listings:
            listing = list_frames(root, video_dir)
            escaped = listing.escape_issue(where, row)
            listings[video_dir] = [] if escaped else listing.frames
            if escaped:
                issues.append(escaped)
        frames = [f for f in listings[video_dir] if onset <= f.number <= max(end, onset)]
        kind = "macro" if "macro" in values[7].lower() else "micro"
        name = f"{video_dir.name}_{onset}"
        if (subject_dir.name, name) in seen:
            name = f"{name}_r{row}"
        seen.add((subject_dir.name, name))
        clip = ClipRecord(
            subject=subject_dir.name,
            name=name,
            path=rel_path(root, video_dir),
            frames=frames,
            kind=kind,
            fps=FPS,
            onset=onset,
            apex=apex_v,
            offset=offset or None,
            action_units=values[5],
            emotion_raw=values[8] or values[6],
            label=megc_label("casme_sq", values[6]),
            meta={"category": values[6], "type": values[7], "video": video, "offset_unknown": offset == 0},
            source_file=where,
            source_row=row,
        )
        problem = check_clip_frames(clip)
        if problem:
            issues.append(problem)
            continue
        clips.append(clip)
    return ReadResult(clips=clips, issues=issues, fps=FPS, purpose="micro", meta={"coding_file": where})
