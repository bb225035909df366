"""Review and adjudication for the pages: codings with emotion and AUs, ranked by disagreement, and a
reviewer's ``consensus`` saved with who decided what and when (``engine.annotate.review`` holds the
rules; adjudicating needs the researcher or admin role, ``engine.api.access``)."""

from __future__ import annotations

from db import queries
from engine.annotate.agreement import CONSENSUS
from engine.annotate.review import Consensus, Disagreement, FullCoding, adopt, disagreements, merge
from engine.annotate.store import Marks
from engine.api.access import Actor, current, require_clip, visible
from engine.api.annotation_versions import save_as
from engine.api.session import get_session

__all__ = [
    "CONSENSUS",
    "Consensus",
    "Disagreement",
    "FullCoding",
    "adopt",
    "disagreements",
    "full_codings",
    "merge",
    "save_consensus",
]


def full_codings(viewer: Actor, dataset: str | None = None, clip_id: int | None = None) -> list[FullCoding]:
    """Every annotation ``viewer`` may see (of one dataset, or of one clip), with emotion and AUs."""
    with get_session() as session:
        if clip_id is not None:
            fresh = require_clip(session, viewer, int(clip_id))
            rows = queries.annotations_for(session, int(clip_id))
        else:
            fresh = current(session, viewer)
            rows = queries.annotations_of(session, dataset)
        return [
            FullCoding(
                a.clip_id,
                a.annotator,
                a.onset,
                a.apex,
                a.offset,
                a.emotion or "",
                a.label,
                a.action_units or "",
            )
            for a in rows
            if visible(session, fresh, a.clip_id, a.annotator)
        ]


def save_consensus(actor: Actor, clip_id: int, decision: Consensus) -> int:
    """The reviewer's decision as the clip's ``consensus`` annotation, saved by the actor (researcher or
    admin: NotAllowed otherwise); its note says who, what, when."""
    marks = Marks(
        decision.onset, decision.apex, decision.offset, decision.action_units, decision.emotion,
        decision.provenance,
    )  # fmt: skip
    # the reviewer's decision replaces the clip's earlier consensus, by design (overwrite)
    return save_as(actor, "adjudicate", clip_id, CONSENSUS, marks, None, overwrite=True).id
