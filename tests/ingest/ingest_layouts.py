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

CASME_SQ_CODE_FILE = "CAS(ME)^2code_final.xlsx"


def casme_sq(
    root: Path,
    rows: Sequence[Sequence[object]],
    videos: dict[tuple[str, str], int | Sequence[int]],
    subjects: Sequence[tuple[object, str, int]] = ((15, "s15", 1), (16, "s16", 2)),
    names: Sequence[tuple[object, str]] = ((101, "disgust1"), (102, "disgust2"), (401, "anger1")),
) -> Path:
    """The CAS(ME)² release: ``rawpic/<s-code>/<nn>_<code><name>/img<n>.jpg`` and the code file whose
    sheet 1 has no header (subject number, ``disgust1_1``, onset, apex, offset, AUs, category, type,
    self-report), sheet 2 ``naming rule1`` (``15 | s15 | 1``), sheet 3 ``naming rule2`` (``101 | disgust1``,
    the leading zero lost to Excel). ``videos`` = {(s-code, folder): frame count or frame numbers}."""
    for (subject, folder), spec in videos.items():
        numbers = range(1, spec + 1) if isinstance(spec, int) else spec
        frames(root / "rawpic" / subject / folder, "img{}.jpg", numbers)
    xlsx(
        root / CASME_SQ_CODE_FILE,
        rows,
        sheet="CASFEcode_final",
        extra={"naming rule1": subjects, "naming rule2": names},
    )
    return root


# ----------------------------------------------------------------------------- SAMM Long Videos

SAMM_LV_HEADER = (
    "Subject",
    "Filename",
    "Inducement Code",
    "Onset",
    "Apex",
    "Offset",
    "Duration",
    "Type",
    "Action Units",
    "Notes",
)
SAMM_LV_NOTES = 9
SAMM_LV_CODE_FILE = "SAMM_LongVideos_V3_Release.xlsx"


def samm_lv(
    root: Path,
    rows: Sequence[tuple[str, int, int, int, str, str]],
    videos: dict[str, int | Sequence[int]],
    emotions: dict[str, str] | None = None,
) -> Path:
    """SAMM Long Videos: ``SAMM_longvideos/006_1/006_1_00001.jpg`` and the release xlsx with note rows
    above the header; ``rows`` = (Filename ``006_1_1``, onset, apex, offset, type, AUs); ``emotions``
    (Filename → emotion) writes the SAMM micro coding file the release takes emotions from."""
    for video, spec in videos.items():
        numbers = range(1, spec + 1) if isinstance(spec, int) else spec
        frames(root / "SAMM_longvideos" / video, f"{video}_{{:05d}}.jpg", numbers)
    notes = [["SAMM Long Videos"], ["Release notes"]] + [[f"note {i}"] for i in range(SAMM_LV_NOTES - 2)]
    table: list[Sequence[object]] = [*notes, SAMM_LV_HEADER]
    for name, onset, apex, offset, kind, aus in rows:
        table.append(
            (int(name.split("_")[0]), name, 1, onset, apex, offset, offset - onset + 1, kind, aus, "")
        )
    xlsx(root / SAMM_LV_CODE_FILE, table, sheet="FACS_Codes")
    if emotions:
        micro_notes = [["SAMM Micro-FACS Codes"]] + [[f"note {i}"] for i in range(SAMM_NOTES - 1)]
        micro = [*micro_notes, SAMM_HEADER]
        for name, emotion in emotions.items():
            micro.append((int(name.split("_")[0]), name, 1, 1, 2, 3, 3, "Micro - 1/2", "", emotion, 1, ""))
        xlsx(root / "SAMM_Micro_FACS_Codes_v2.xlsx", micro, sheet="FACS_Codes")
    return root


# ----------------------------------------------------------------------------- CAS(ME)³ Part A

CASME3_HEADER = ("Subject", "Filename", "Onset", "Apex", "Offset", "AU", "Objective class", "emotion")
CASME3_CODE_FILE = "cas(me)3_part_A_ME_label_JpgIndex_v2.xlsx"


def casme3(
    root: Path,
    rows: Sequence[Sequence[object]],
    videos: dict[tuple[str, str], int | Sequence[int]],
) -> Path:
    """CAS(ME)³ Part A: ``ME_A/spNO.1/b/color/175.jpg`` (and a ``depth`` folder beside ``color``) plus
    the JpgIndex label xlsx; ``rows`` = (Subject ``spNO.1``, Filename ``b``, onset, apex, offset, AU,
    objective class, emotion); ``videos`` = {(subject, letter): frame count or frame numbers}."""
    for (subject, letter), spec in videos.items():
        numbers = list(range(1, spec + 1) if isinstance(spec, int) else spec)
        frames(root / "ME_A" / subject / letter / "color", "{}.jpg", numbers)
        frames(root / "ME_A" / subject / letter / "depth", "{}.png", numbers[:1])
    xlsx(root / CASME3_CODE_FILE, [CASME3_HEADER, *rows], sheet="Sheet1")
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
