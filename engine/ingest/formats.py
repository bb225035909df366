"""Which reader a dataset folder needs, told from the files its release ships.

Every format has a signature (its coding file's name, its frame folders). A folder that matches one
signature is that format; one that matches several is an error listing them, never a guess; and the
generic ``folder`` reader is chosen only when nothing coded is there: a spreadsheet or CSV beside the
frames means a coded release, and an unrecognised one is an error too, not an unlabelled dataset.

Signatures look at one shallow listing (files at the root and one level down, folders two levels
down), read once: a long-video release holds millions of frames, and globbing into the frame folders
once per pattern would make detection slower than reading the code file.
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import GlimpseError
from engine.ingest import casme2, casme3, casme_sq, ckplus, samm, samm_lv, smic
from engine.ingest.common import VIDEO_EXTENSIONS, require_dir
from engine.ingest.listing import Listing
from engine.ingest.registry import READERS, SIGNATURES, register_signature

FALLBACK = "folder"  # frames in label folders, no coding file
CODING_LIKE = ("*.xlsx", "*.xls", "*.csv")


@register_signature("casme2")
def _casme2(found: Listing) -> bool:
    return found.file(casme2.CODING_PATTERNS) is not None


@register_signature("samm")
def _samm(found: Listing) -> bool:
    # the SAMM micro coding file also ships beside SAMM Long Videos (their emotions): there it is not SAMM
    codes = found.file(samm.MICRO_CODING_PATTERNS)
    return codes is not None and (found.dir(("SAMM",)) is not None or found.dir(samm_lv.FRAME_DIRS) is None)


@register_signature("samm_lv")
def _samm_lv(found: Listing) -> bool:
    return found.dir(samm_lv.FRAME_DIRS) is not None or found.file(samm_lv.CODE_PATTERNS) is not None


@register_signature("casme_sq")
def _casme_sq(found: Listing) -> bool:
    return (
        found.dir(casme_sq.SIGNATURE_DIRS) is not None or found.file(casme_sq.SIGNATURE_PATTERNS) is not None
    )


@register_signature("casme3")
def _casme3(found: Listing) -> bool:
    label = found.file([p for _, patterns in casme3.LABEL_FILES for p in patterns])
    return found.dir(casme3.FRAME_DIRS[:1]) is not None or label is not None


@register_signature("ckplus")
def _ckplus(found: Listing) -> bool:
    return found.dir(ckplus.IMAGE_DIRS[:1]) is not None


@register_signature("smic")
def _smic(found: Listing) -> bool:
    return found.dir(("HS", smic.CROPPED_DIR)) is not None


@register_signature("video")
def _video(found: Listing) -> bool:
    return found.file(("*.csv",)) is not None and any(
        p.suffix.lower() in VIDEO_EXTENSIONS for p in found.files
    )


def candidates(listing: Listing) -> list[str]:
    """Every format whose signature the listed folder matches (in registry order)."""
    return [fmt for fmt, test in SIGNATURES.items() if test(listing)]


def detect_format(root: Path) -> str:
    """The one format ``root`` is, or a GlimpseError naming the formats it could be (or why none)."""
    root = require_dir(Path(root))
    listing = Listing.of(root)
    found = candidates(listing)
    every = ", ".join(READERS)
    if len(found) == 1:
        return found[0]
    if found:
        raise GlimpseError(
            f"the folder could be any of these formats: {', '.join(found)}",
            where=str(root),
            hint=f"pass --format with the one it is ({' or '.join(found)})",
        )
    coding = listing.file(CODING_LIKE)
    if coding is not None:
        raise GlimpseError(
            f"a coding file is here ({coding.name}) but no release Glimpse knows matches it",
            where=str(root),
            hint=f"pass --format (one of {every}); --format {FALLBACK} ignores the coding file",
        )
    if listing.dirs:
        return FALLBACK
    raise GlimpseError(
        "cannot tell the dataset format from its files",
        where=str(root),
        hint=f"pass --format (one of {every})",
    )
