"""The "what to code next" score against values computed by hand (see engine.annotate.code_next)."""

from __future__ import annotations

import math

import pytest

from engine.annotate.code_next import QueueWeights, rank_clips
from engine.annotate.review import FullCoding
from engine.errors import GlimpseError

CLASSES = ("negative", "positive", "surprise")
LN2_OVER_LN3 = math.log(2) / math.log(3)  # entropy of (½, ½, 0) over its maximum ln 3


def _coding(clip: int, who: str, label: str | None) -> FullCoding:
    return FullCoding(clip, who, 1, 2, 3, "", label)


SCORES = {
    1: [[0.5, 0.5, 0.0], [0.5, 0.5, 0.0]],  # mean (½, ½, 0); both runs say negative (first of a tie)
    2: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],  # mean (½, ½, 0); the runs split 1 : 1
    3: [[1 / 3, 1 / 3, 1 / 3], [1 / 3, 1 / 3, 1 / 3]],  # uniform: entropy 1
}
CODINGS = [
    _coding(1, "alice", "positive"),
    _coding(1, "bob", "negative"),
    _coding(1, "source", "surprise"),  # the release is not a coder
    _coding(2, "source", "negative"),  # only the release: uncoded
    _coding(2, "consensus", "negative"),  # a consensus is not a coder either
    _coding(3, "alice", "surprise"),
    _coding(3, "bob", "surprise"),
    _coding(3, "carol", "surprise"),
    _coding(4, "alice", "negative"),  # one coder, no run scores
]


def test_the_queue_ranks_by_the_stated_score() -> None:
    queue = rank_clips([1, 2, 3, 4], SCORES, CODINGS, CLASSES)
    assert [item.clip_id for item in queue] == [2, 1, 3, 4]
    by_clip = {item.clip_id: item for item in queue}
    # clip 2: E = ln2/ln3, R = 1 − 1/2, no coder → U = 1
    assert by_clip[2].score == pytest.approx(LN2_OVER_LN3 + 0.5 + 1.0)
    assert by_clip[2].run_disagreement == pytest.approx(0.5) and by_clip[2].coder_disagreement is None
    assert by_clip[2].uncoded
    # clip 1: E = ln2/ln3, R = 0, C = 1 − 1/2 (alice positive, bob negative)
    assert by_clip[1].score == pytest.approx(LN2_OVER_LN3 + 0.5)
    assert by_clip[1].entropy == pytest.approx(LN2_OVER_LN3) and by_clip[1].run_disagreement == 0
    # clip 3: uniform scores, E = 1; three coders agree
    assert by_clip[3].score == pytest.approx(1.0) and by_clip[3].coder_disagreement == 0
    # clip 4: no runs, one coder → nothing to say
    assert by_clip[4].score == 0 and by_clip[4].entropy is None and by_clip[4].reasons == ()
    assert by_clip[2].reasons == (
        "no coder has coded it",
        f"model unsure: entropy {LN2_OVER_LN3:.2f} of the class scores (2 run(s))",
        "runs disagree: 1 of 2 say negative",
    )
    assert by_clip[1].reasons[-1] == "coders disagree: alice positive, bob negative"


def test_weights_change_the_order() -> None:
    only_coders = rank_clips([1, 2, 3, 4], SCORES, CODINGS, CLASSES, QueueWeights(0, 0, 1, 0))
    assert [(i.clip_id, i.score) for i in only_coders] == [(1, 0.5), (2, 0.0), (3, 0.0), (4, 0.0)]
    no_uncoded = rank_clips([1, 2, 3, 4], SCORES, CODINGS, CLASSES, QueueWeights(uncoded=0))
    assert [i.clip_id for i in no_uncoded] == [1, 2, 3, 4]  # clips 1 and 2 tie at ln2/ln3 + ½: lower id first
    with pytest.raises(GlimpseError, match="weights must be ≥ 0"):
        QueueWeights(entropy=-1)
