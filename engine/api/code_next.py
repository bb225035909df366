"""What to code next, for the Code next page: a dataset's clips ranked by the stated score of
``engine.annotate.code_next`` (model uncertainty over chosen runs, run and coder disagreement, uncoded),
with the reason beside each clip, and the top of the queue made an assignment (``create_assignment``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from db import queries
from engine.annotate.code_next import QueueItem, QueueWeights, rank_clips
from engine.annotate.sources import catalog_codings
from engine.api.access import Actor, current, visible
from engine.api.assignments import create_assignment
from engine.api.session import get_session
from engine.errors import GlimpseError
from engine.labels import LABELS_ME

CODE_NEXT_COLUMNS = [
    "rank", "clip_id", "clip", "score", "reasons", "entropy", "run_disagreement", "coder_disagreement",
    "uncoded",
]  # fmt: skip


@dataclass(frozen=True)
class CodeNextItem:
    """One clip of the queue with its name (``dataset/subject/clip``)."""

    rank: int
    clip: str
    item: QueueItem


def _runs(session: Session, run_ids: Sequence[str], ablation: str | None) -> list[str]:
    chosen = list(run_ids)
    if ablation:
        children = [r.id for r in queries.child_runs(session, ablation)]
        if not children:
            raise GlimpseError(f"run {ablation} has no child runs", hint="pick an ablation")
        chosen += children
    return list(dict.fromkeys(chosen))


def code_next(
    viewer: Actor,
    dataset: str,
    run_ids: Sequence[str] = (),
    ablation: str | None = None,
    weights: QueueWeights = QueueWeights(),
    limit: int | None = 50,
) -> list[CodeNextItem]:
    """The dataset's short clips ranked for coding (the model terms from ``run_ids`` and/or the children
    of ``ablation``: their stored class scores of each clip). The coder terms and reasons use only the
    codings ``viewer`` may see (a coder in an open blind assignment: their own)."""
    with get_session() as session:
        fresh = current(session, viewer)
        queries.dataset_named(session, dataset)  # an unknown name is a GlimpseError naming it
        clips = queries.dataset_clips(session, [dataset])
        ids = [c.id for c in clips]
        scores: dict[int, list[list[float]]] = {}
        for run_id in _runs(session, run_ids, ablation):
            for p in queries.predictions_of(session, run_id):
                scores.setdefault(p.clip_id, []).append([float(p.probs.get(k, 0.0)) for k in LABELS_ME])
        codings = [
            c for c in catalog_codings(session, [dataset]) if visible(session, fresh, c.clip_id, c.annotator)
        ]
        names = queries.clip_names(session, ids)
    ranked = rank_clips(ids, scores, codings, LABELS_ME, weights)
    top = ranked if limit is None else ranked[:limit]
    return [
        CodeNextItem(i + 1, names.get(item.clip_id, str(item.clip_id)), item) for i, item in enumerate(top)
    ]


def code_next_table(
    viewer: Actor,
    dataset: str,
    run_ids: Sequence[str] = (),
    ablation: str | None = None,
    weights: QueueWeights = QueueWeights(),
    limit: int | None = 50,
) -> pd.DataFrame:
    """``code_next`` as the table the page shows (reasons joined by "; ")."""
    rows = [
        {
            "rank": x.rank,
            "clip_id": x.item.clip_id,
            "clip": x.clip,
            "score": round(x.item.score, 4),
            "reasons": "; ".join(x.item.reasons),
            "entropy": x.item.entropy,
            "run_disagreement": x.item.run_disagreement,
            "coder_disagreement": x.item.coder_disagreement,
            "uncoded": x.item.uncoded,
        }
        for x in code_next(viewer, dataset, run_ids, ablation, weights, limit)
    ]
    return pd.DataFrame(rows, columns=CODE_NEXT_COLUMNS)


def assign_code_next(
    actor: Actor,
    clip_ids: Sequence[int],
    coders: Sequence[str],
    per_clip: int = 2,
    *,
    name: str | None = None,
    spec: dict[str, Any] | None = None,
) -> int:
    """Turn the top of the queue into an assignment in one action: ``clip_ids`` in queue order, each to
    ``per_clip`` of ``coders`` (blind), by ``create_assignment`` with its role check (an admin; NotAllowed
    otherwise, nothing written); the assignment's id. ``spec`` records how the queue was ranked."""
    if not clip_ids:
        raise GlimpseError("the queue is empty: nothing to assign")
    return create_assignment(
        actor,
        name or f"code next top {len(clip_ids)} clips",
        clip_ids,
        coders,
        per_clip,
        blind=True,
        spec={"clips": "code next", **(spec or {})},
    )
