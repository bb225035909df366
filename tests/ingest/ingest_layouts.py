"""Builders that reproduce each dataset's official layout with tiny generated frames (16×16 images)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import cv2
import numpy as np
from openpyxl import Workbook

_PIXELS = np.full((16, 16, 3), 128, dtype=np.uint8)


def frame(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), _PIXELS), path


def frames(folder: Path, pattern: str, numbers: Iterable[int]) -> None:
    for n in numbers:
        frame(folder / pattern.format(n))


def xlsx(
    path: Path, rows: Sequence[Sequence[object]], sheet: str = "Sheet1", extra: dict | None = None
) -> None:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    for name, extra_rows in (extra or {}).items():
        other = book.create_sheet(name)
        for row in extra_rows:
            other.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


# ----------------------------------------------------------------------------- CASME II

CASME2_HEADER = (
    "Subject",
    "Filename",
    None,
    "OnsetFrame",
    "ApexFrame",
    "OffsetFrame",
    None,
    "Action Units",
    "Estimated Emotion",
)


def casme2(
    root: Path,
    rows: Sequence[tuple[int, str, int, int | str, int, str, str]],
    release: str = "raw",
    frame_ranges: dict[tuple[int, str], tuple[int, int]] | None = None,
) -> Path:
    """``rows`` = (subject, filename, onset, apex, offset, AUs, emotion); frames span onset-2…offset+2."""
    frames_dir = root / ("CASME2_RAW_selected" if release == "raw" else "Cropped")
    pattern = "img{}.jpg" if release == "raw" else "reg_img{}.jpg"
    table = [CASME2_HEADER]
    for subject, name, onset, apex, offset, aus, emotion in rows:
        table.append((subject, name, None, onset, apex, offset, None, aus, emotion))
        lo, hi = (frame_ranges or {}).get((subject, name), (max(1, onset - 2), offset + 2))
        frames(frames_dir / f"sub{subject:02d}" / name, pattern, range(lo, hi + 1))
    xlsx(root / "CASME2-coding-20140508.xlsx", table, sheet="Sheet1")
    return root


# ----------------------------------------------------------------------------- SMIC


def smic(root: Path, clips: Sequence[tuple[str, str, str, int]], cropped: bool = False) -> Path:
    """``clips`` = (subject, label, clip name, n frames) → ``HS/<s>/micro/<label>/<clip>/image<n>.bmp``."""
    hs = root / "SMIC_all_cropped" / "HS" if cropped else root / "HS"
    for subject, label, name, n in clips:
        frames(hs / subject / "micro" / label / name, "image{:06d}.bmp", range(586_000, 586_000 + n))
    return root


# ----------------------------------------------------------------------------- SAMM

SAMM_HEADER = (
    "Subject",
    "Filename",
    "Inducement Code",
    "Onset Frame",
    "Apex Frame",
    "Offset Frame",
    "Duration",
    "Micro",
    "Action Units",
    "Estimated Emotion",
    "Objective Classes",
    "Notes",
)
SAMM_NOTES = 13


def samm(root: Path, rows: Sequence[tuple[str, str, int, int, int, str, str]]) -> Path:
    """``rows`` = (subject "006", filename "006_1_2", onset, apex, offset, AUs, emotion); notes on top."""
    notes = [["SAMM Micro-FACS Codes"], [], ["Notes:"]] + [[f"note line {i}"] for i in range(SAMM_NOTES - 3)]
    table: list[Sequence[object]] = [*notes, SAMM_HEADER]
    for subject, name, onset, apex, offset, aus, emotion in rows:
        table.append(
            (
                int(subject),
                name,
                1,
                onset,
                apex,
                offset,
                offset - onset + 1,
                "Micro - 1/2",
                aus,
                emotion,
                1,
                "",
            )
        )
        frames(root / "SAMM" / subject / name, f"{subject}_{{:05d}}.jpg", range(onset - 1, offset + 2))
    xlsx(root / "SAMM_Micro_FACS_Codes_v2.xlsx", table, sheet="FACS_Codes")
    return root


# ----------------------------------------------------------------------------- CAS(ME)²


def casme_sq(
    root: Path, rows: Sequence[tuple[int, str, int, int, int, str, str, str, str]], videos: dict
) -> Path:
    """``rows`` header-less (subject, video, onset, apex, offset, AUs, category, type, emotion);
    ``videos`` = {(folder subject "s15", folder "15_0101disgustingteeth"): n_frames}."""
    for (subject, folder), n in videos.items():
        frames(root / "rawpic" / subject / folder, "img{:03d}.jpg", range(1, n + 1))
    xlsx(
        root / "CAS(ME)^2code_final.xlsx",
        rows,
        sheet="Sheet1",
        extra={"naming rule1": [("0101", "disgust1")]},
    )
    return root


# ----------------------------------------------------------------------------- CK+


def ckplus(root: Path, sequences: Sequence[tuple[str, str, int, float | None]]) -> Path:
    """``sequences`` = (subject "S005", sequence "001", n frames, emotion code or None for unlabelled)."""
    for subject, seq, n, code in sequences:
        folder = root / "cohn-kanade-images" / subject / seq
        frames(folder, f"{subject}_{seq}_{{:08d}}.png", range(1, n + 1))
        if code is not None:
            emotion = root / "Emotion" / subject / seq / f"{subject}_{seq}_{n:08d}_emotion.txt"
            emotion.parent.mkdir(parents=True, exist_ok=True)
            emotion.write_text(f"   {code:.7e}\n")
    return root
