"""The one rule a subject, clip or video name must follow, checked once, at ingest.

Names travel into files other tools split on whitespace: the MEGC spotting log (``glimpse spot``),
HTNet / CausalNet image names (``<sub>_<clip> .png``). A name they cannot hold is refused when the
dataset is read, naming the file and row it came from — not at 95 % of a spotting job.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.errors import GlimpseError
from engine.ingest.base import ClipRecord

MAX_LISTED = 5


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a subject, clip or video name (None: it can)."""
    if not name.strip():
        return "is empty"
    if any(ch.isspace() for ch in name):
        return "contains whitespace"
    return None


def _source(rec: ClipRecord) -> str:
    file = rec.source_file or rec.path
    return f"{file}, row {rec.source_row}" if rec.source_row is not None else file


def check_names(clips: Sequence[ClipRecord], where: str) -> None:
    """Refuse the dataset (GlimpseError) if any clip's subject or name breaks ``name_problem``."""
    bad = []
    for rec in clips:
        for what, value in (("subject", rec.subject), ("clip", rec.name)):
            problem = name_problem(value)
            if problem:
                bad.append(f"{_source(rec)}: {what} name {value!r} {problem}")
    if bad:
        more = f" (and {len(bad) - MAX_LISTED} more)" if len(bad) > MAX_LISTED else ""
        raise GlimpseError(
            f"{len(bad)} name(s) cannot be used: {'; '.join(bad[:MAX_LISTED])}{more}",
            where=where,
            hint="rename them without spaces (spotting logs and exports split names on whitespace)",
        )
