"""Which reader a dataset folder needs, told from the files its release ships.

Every format has a signature (its coding file's name, its frame folders). A folder that matches one
signature is that format; one that matches several is an error listing them, never a guess; and the
generic ``folder`` reader is chosen only when nothing coded is there: a spreadsheet or CSV beside the
frames means a coded release, and an unrecognised one is an error too, not an unlabelled dataset.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from engine.errors import GlimpseError
from engine.ingest import casme2, casme3, casme_sq, ckplus, samm, samm_lv, smic
from engine.ingest.base import READERS
from engine.ingest.common import VIDEO_EXTENSIONS, find_dir, find_file, require_dir, subdirs
from engine.registry import Registry

Signature = Callable[[Path], bool]
SIGNATURES: Registry[Signature] = Registry("format signature")
FALLBACK = "folder"  # frames in label folders, no coding file
CODING_LIKE = ("*.xlsx", "*.xls", "*.csv")


def signature(fmt: str) -> Callable[[Signature], Signature]:
    """Register how to recognise format ``fmt`` (the name a reader is registered under)."""

    return SIGNATURES.register(fmt)


@signature("casme2")
def _casme2(root: Path) -> bool:
    return find_file(root, casme2.CODING_PATTERNS) is not None


@signature("samm")
def _samm(root: Path) -> bool:
    # the SAMM micro coding file also ships beside SAMM Long Videos (emotions): there it is not SAMM
    codes = find_file(root, samm.MICRO_CODING_PATTERNS)
    return codes is not None and (
        find_dir(root, ("SAMM",)) is not None or find_dir(root, samm_lv.FRAME_DIRS) is None
    )


@signature("samm_lv")
def _samm_lv(root: Path) -> bool:
    return (
        find_dir(root, samm_lv.FRAME_DIRS) is not None or find_file(root, samm_lv.CODE_PATTERNS) is not None
    )


@signature("casme_sq")
def _casme_sq(root: Path) -> bool:
    return (
        find_dir(root, casme_sq.FRAME_DIRS) is not None
        or find_file(root, casme_sq.SIGNATURE_PATTERNS) is not None
    )


@signature("casme3")
def _casme3(root: Path) -> bool:
    label = find_file(root, [p for _, patterns in casme3.LABEL_FILES for p in patterns])
    return find_dir(root, casme3.FRAME_DIRS[:1]) is not None or label is not None


@signature("ckplus")
def _ckplus(root: Path) -> bool:
    return find_dir(root, ckplus.IMAGE_DIRS[:1]) is not None


@signature("smic")
def _smic(root: Path) -> bool:
    return (
        (root / "HS").is_dir() or find_dir(root, (smic.CROPPED_DIR,)) is not None or root.name.upper() == "HS"
    )


@signature("video")
def _video(root: Path) -> bool:
    return find_file(root, ("*.csv",), max_depth=1) is not None and any(
        p.suffix.lower() in VIDEO_EXTENSIONS for p in root.rglob("*") if p.is_file()
    )


def candidates(root: Path) -> list[str]:
    """Every format whose signature the folder matches (in registry order)."""
    return [fmt for fmt, test in SIGNATURES.items() if test(root)]


def detect_format(root: Path) -> str:
    """The one format ``root`` is, or a GlimpseError naming the formats it could be (or why none)."""
    root = require_dir(Path(root))
    found = candidates(root)
    every = ", ".join(sorted(READERS))
    if len(found) == 1:
        return found[0]
    if found:
        raise GlimpseError(
            f"the folder could be any of these formats: {', '.join(found)}",
            where=str(root),
            hint=f"pass --format with the one it is ({' or '.join(found)})",
        )
    coding = find_file(root, CODING_LIKE, max_depth=2)
    if coding is not None:
        raise GlimpseError(
            f"a coding file is here ({coding.name}) but no release Glimpse knows matches it",
            where=str(root),
            hint=f"pass --format (one of {every}); --format {FALLBACK} ignores the coding file",
        )
    if subdirs(root):
        return FALLBACK
    raise GlimpseError(
        "cannot tell the dataset format from its files",
        where=str(root),
        hint=f"pass --format (one of {every})",
    )
