"""The Review page: clips ranked by disagreement, and a consensus recorded from it. AppTest against
conftest.py's seeded catalog."""

from __future__ import annotations

from app_support import page, texts  # type: ignore[import-not-found]
from sqlalchemy import select

from db.schema import Annotation
from db.session import session_scope
from engine import api


def test_review_ranks_disagreement_and_records_consensus(seeded) -> None:
    a, b = seeded.clip_ids[0], seeded.clip_ids[1]
    api.save_annotation(
        api.local_actor("alice"), a, 101, 104, 107, "12", "happiness"
    )  # agrees with the source
    api.save_annotation(
        api.local_actor("alice"), b, 101, 104, 107, "", "surprise"
    )  # source says disgust (negative)
    at = page("review")
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table.clip_id.tolist()[:2] == [b, a]  # the label disagreement first
    at.text_input(key="ann_annotator").input("rev").run()
    at.checkbox(key="review_include_source").check().run()  # the release is adopted only when asked
    next(x for x in at.button if x.label == "Adopt source").click().run()
    with session_scope(seeded.url) as s:
        row = s.scalars(
            select(Annotation).where(Annotation.clip_id == b, Annotation.annotator == "consensus")
        ).one()
        assert (row.onset, row.apex, row.offset, row.emotion) == (101, 104, 107, "disgust")
        assert row.notes.startswith("adopted source's coding by rev at ")
    assert "consensus of clip" in texts(at)
    assert at.dataframe[0].value.set_index("clip_id").loc[b, "consensus"] == "✓"
