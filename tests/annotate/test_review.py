"""Review ranking and consensus: worst disagreement first, adopt or merge with provenance."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.annotate.review import FullCoding, adopt, disagreements, merge
from engine.errors import GlimpseError

NOW = datetime(2026, 12, 1, 23, 5, tzinfo=UTC)


def c(clip: int, who: str, on: int, ap: int, off: int, emotion: str, label: str, aus: str = "") -> FullCoding:
    return FullCoding(clip, who, on, ap, off, emotion, label, aus)


CODINGS = [
    c(1, "alice", 10, 14, 20, "happiness", "positive"), c(1, "bob", 10, 15, 20, "happiness", "positive"),
    c(2, "alice", 10, 14, 20, "disgust", "negative"), c(2, "bob", 10, 14, 20, "surprise", "surprise"),
    c(3, "alice", 10, 12, 20, "happiness", "positive"), c(3, "bob", 15, 22, 25, "happiness", "positive"),
    c(4, "alice", 1, 2, 3, "happiness", "positive"),  # one annotator: nothing to review
]  # fmt: skip


def test_worst_disagreement_first() -> None:
    ranked = disagreements(CODINGS)
    assert [d.clip_id for d in ranked] == [2, 3, 1]  # label differs; then IoU 6/16; then IoU 1 apex 1
    by_id = {d.clip_id: d for d in ranked}
    assert by_id[2].label_disagrees and by_id[2].labels == ("negative", "surprise")
    assert by_id[3].min_iou == pytest.approx(6 / 16) and by_id[3].max_apex_distance == 10
    assert by_id[1].min_iou == 1.0 and by_id[1].max_apex_distance == 1
    assert not any(d.has_consensus for d in ranked)


def test_consensus_rows_are_not_counted_as_coders() -> None:
    ranked = disagreements([*CODINGS, c(4, "consensus", 1, 2, 3, "happiness", "positive")])
    assert 4 not in [d.clip_id for d in ranked]  # alice + consensus is still one annotator
    marked = disagreements([*CODINGS, c(1, "consensus", 10, 14, 20, "happiness", "positive")])
    assert next(d for d in marked if d.clip_id == 1).has_consensus


def test_merge_takes_medians_and_majority_and_records_who_and_when() -> None:
    three = [
        c(5, "alice", 10, 14, 20, "happiness", "positive", "6+12"),
        c(5, "bob", 12, 15, 22, "happiness", "positive", "12"),
        c(5, "carol", 30, 31, 40, "surprise", "surprise", "1+2"),
    ]
    merged = merge(three, "rev", NOW)
    assert (merged.onset, merged.apex, merged.offset) == (12, 15, 22)  # median: carol's outlier ignored
    assert merged.emotion == "happiness" and merged.action_units == "12"
    assert merged.provenance == (
        "merged alice, bob, carol (median marks, majority emotion) by rev at 2026-12-01 23:05 UTC"
    )


def test_adopt_copies_one_coding_and_needs_a_reviewer() -> None:
    chosen = adopt(CODINGS[3], "rev", NOW)
    assert (chosen.onset, chosen.apex, chosen.offset, chosen.emotion) == (10, 14, 20, "surprise")
    assert chosen.provenance == "adopted bob's coding by rev at 2026-12-01 23:05 UTC"
    assert (chosen.adjudicator, chosen.method, chosen.coders) == ("rev", "adopt", ("bob",))
    with pytest.raises(GlimpseError, match="adjudicator's name is empty"):
        adopt(CODINGS[3], "  ")
    with pytest.raises(GlimpseError, match="at least two"):
        merge(CODINGS[:1], "rev")


SOURCED = [
    c(6, "source", 10, 14, 20, "disgust", "negative", "4"),
    c(6, "alice", 11, 15, 21, "happiness", "positive", "12"),
    c(6, "bob", 30, 31, 40, "happiness", "positive", "6+12"),
    c(6, "consensus", 1, 2, 3, "surprise", "surprise"),
]


def test_merge_leaves_the_release_out_unless_asked() -> None:
    merged = merge(SOURCED, "rev", NOW)
    # alice and bob only: median of two = their mean, rounded; the release's 10/14/20 and AU4 play no part
    assert (merged.onset, merged.apex, merged.offset) == (20, 23, 30)  # round(20.5) = 20, banker's
    assert merged.action_units == "12" and merged.coders == ("alice", "bob")
    assert merged.record() == {
        "kind": "consensus",
        "adjudicator": "rev",
        "method": "merge",
        "coders": ["alice", "bob"],
        "includes_source": False,
        "at": "2026-12-01 23:05 UTC",
    }
    asked = merge(SOURCED, "rev", NOW, include_source=True)
    assert asked.coders == ("alice", "bob", "source") and asked.record()["includes_source"] is True
    assert (asked.onset, asked.apex, asked.offset) == (11, 15, 21)  # the median of three
    with pytest.raises(GlimpseError, match="got 1"):
        merge(SOURCED[:2], "rev", NOW)  # the release + one coder: one coder without the release


def test_adopting_the_release_needs_asking() -> None:
    with pytest.raises(GlimpseError, match="release's coding"):
        adopt(SOURCED[0], "rev", NOW)
    adopted = adopt(SOURCED[0], "rev", NOW, include_source=True)
    assert adopted.coders == ("source",) and adopted.record()["includes_source"] is True
