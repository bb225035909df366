"""Review and adjudication for the pages: codings with emotion and AUs, ranked by disagreement, and a
reviewer's ``consensus`` saved with who decided what and when (``engine.annotate.review`` holds the
rules)."""

from __future__ import annotations

from engine.annotate.agreement import CONSENSUS
from engine.annotate.review import Consensus, Disagreement, FullCoding, adopt, disagreements, merge
from engine.annotate.sources import catalog_codings
from engine.api.annotations import save_annotation
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


def full_codings(dataset: str | None = None, clip_id: int | None = None) -> list[FullCoding]:
    """Every annotation (of one dataset, or of one clip), with emotion and AUs."""
    with get_session() as session:
        return catalog_codings(session, [dataset] if dataset else [], clip_id)


def save_consensus(clip_id: int, decision: Consensus) -> int:
    """The reviewer's decision as the clip's ``consensus`` annotation; its note says who, what, when."""
    return save_annotation(
        clip_id,
        CONSENSUS,
        decision.onset,
        decision.apex,
        decision.offset,
        decision.action_units,
        decision.emotion,
        notes=decision.provenance,
        overwrite=True,  # the reviewer's decision replaces the clip's earlier consensus, by design
    )
