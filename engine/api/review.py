"""Review and adjudication for the pages: codings with emotion and AUs (as the viewer may see them),
ranked by disagreement, and an adjudicator's ``consensus`` saved with who decided what, from whom and
when (``engine.annotate.review`` holds the rules; adjudicating needs the researcher or admin role,
``engine.api.access``, and the adjudicator recorded is the signed-in actor)."""

from __future__ import annotations

from db.schema import SOURCE_ANNOTATOR
from engine.annotate.agreement import CONSENSUS
from engine.annotate.review import (
    Consensus,
    Disagreement,
    FullCoding,
    adopt,
    disagreements,
    merge,
)
from engine.annotate.sources import catalog_codings
from engine.annotate.store import Marks
from engine.api.access import Actor, current, require_clip, visible
from engine.api.annotation_versions import save_as
from engine.api.session import get_session
from engine.errors import NotAllowed

__all__ = [
    "CONSENSUS",
    "SOURCE_ANNOTATOR",
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
        else:
            fresh = current(session, viewer)
        return [
            coding
            for coding in catalog_codings(session, [dataset] if dataset else [], clip_id)
            if visible(session, fresh, coding.clip_id, coding.annotator)
        ]


def save_consensus(actor: Actor, clip_id: int, decision: Consensus) -> int:
    """The adjudicator's decision as the clip's ``consensus`` annotation, saved by the actor (researcher
    or admin: NotAllowed otherwise): its note says who, what, when; the row's ``updated_by`` is the
    actor and its provenance the decision's record. A decision made under another name is refused, so
    the recorded adjudicator is always the person who saved it."""
    if decision.adjudicator and decision.adjudicator != actor.name:
        raise NotAllowed(
            f"{actor.name} may not save a decision made by {decision.adjudicator}",
            hint="adjudicate under your own name",
        )
    marks = Marks(
        decision.onset, decision.apex, decision.offset, decision.action_units, decision.emotion,
        decision.provenance,
    )  # fmt: skip
    # the adjudicator's decision replaces the clip's earlier consensus, by design (overwrite)
    return save_as(
        actor, "adjudicate", clip_id, CONSENSUS, marks, None, overwrite=True, provenance=decision.record()
    ).id
