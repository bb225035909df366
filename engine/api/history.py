"""A clip's annotation history for the pages (who changed what, when, before → after) and restoring an
old version, which a researcher does as a new version (the history itself is never rewritten)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db import queries
from db.schema import CODING_FIELDS
from engine.annotate.store import Marks, SavedAnnotation
from engine.api.access import Actor, require_clip, visible
from engine.api.annotation_versions import save_as
from engine.api.session import get_session


@dataclass(frozen=True)
class Change:
    """One saved version of one annotator's coding of a clip, and what it changed from the one before."""

    annotator: str
    version: int
    saved_by: str
    saved_at: datetime
    changes: dict[str, tuple[object, object]]  # field → (before, after); the first version: (None, value)
    restored_from: int | None


def clip_history(viewer: Actor, clip_id: int) -> list[Change]:
    """Every version of the codings of a clip ``viewer`` may see, oldest first per annotator."""
    with get_session() as session:
        fresh = require_clip(session, viewer, int(clip_id))
        out: list[Change] = []
        previous: dict[str, dict[str, object]] = {}
        for row in queries.annotation_history(session, int(clip_id)):
            if not visible(session, fresh, int(clip_id), row.annotator):
                continue
            now = {f: getattr(row, f) for f in CODING_FIELDS}
            before = previous.get(row.annotator, dict.fromkeys(CODING_FIELDS))
            changes = {f: (before[f], now[f]) for f in CODING_FIELDS if before[f] != now[f]}
            previous[row.annotator] = now
            restored = (row.provenance or {}).get("restored_from")
            out.append(Change(row.annotator, row.version, row.saved_by, row.saved_at, changes, restored))
        return out


def restore_version(actor: Actor, clip_id: int, annotator: str, version: int) -> SavedAnnotation:
    """Make ``annotator``'s coding of the clip what it was at ``version`` again, as a new version saved
    by the actor (researcher or admin; NotAllowed otherwise) that names the version it restores."""
    with get_session() as session:
        require_clip(session, actor, int(clip_id), "restore")
        old = queries.annotation_version(session, int(clip_id), annotator, int(version))
        marks = Marks(old.onset, old.apex, old.offset, old.action_units, old.emotion, old.notes)
        label = old.label
        provenance = {**(old.provenance or {}), "restored_from": int(version)}
    return save_as(
        actor, "restore", clip_id, annotator, marks, None, overwrite=True, label=label, provenance=provenance
    )
