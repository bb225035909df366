"""Review and adjudication for the pages: codings with emotion and AUs, ranked by disagreement, and an
adjudicator's ``consensus`` saved with who decided what, from whom and when (``engine.annotate.review``
holds the rules)."""

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
from engine.api.annotation_versions import Marks, save_marks
from engine.api.session import get_session

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


def full_codings(dataset: str | None = None, clip_id: int | None = None) -> list[FullCoding]:
    """Every annotation (of one dataset, or of one clip), with emotion and AUs."""
    with get_session() as session:
        return catalog_codings(session, [dataset] if dataset else [], clip_id)


def save_consensus(clip_id: int, decision: Consensus) -> int:
    """The adjudicator's decision as the clip's ``consensus`` annotation: its note says who, what, when;
    the row's ``updated_by`` is the adjudicator and its provenance the decision's record."""
    marks = Marks(
        decision.onset, decision.apex, decision.offset, decision.action_units, decision.emotion,
        decision.provenance,
    )  # fmt: skip
    return save_marks(
        clip_id,
        CONSENSUS,
        marks,
        None,
        overwrite=True,  # the adjudicator's decision replaces the clip's earlier consensus, by design
        saved_by=decision.adjudicator,
        provenance=decision.record(),
    ).id
