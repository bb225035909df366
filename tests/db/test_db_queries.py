"""Catalog queries: filters, pagination, stats, training selection, snapshot, annotations."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from db.queries import (
    ClipFilter,
    annotations_for,
    catalog_snapshot,
    clip_frames,
    clips_for_training,
    dataset_stats,
    list_clips,
    save_annotation,
)
from db.schema import Annotation, Clip, Dataset, Frame, Subject
from engine.errors import GlimpseError
from engine.labels import LABELS_ME

LABELS = ["negative", "positive", "surprise", None]


@pytest.fixture()
def catalog(session: Session) -> dict[str, int]:
    """Two datasets: A (micro, 2 subjects, 20 clips, labels cycling) and B (synthetic, 5 clips)."""
    a = Dataset(name="A", format="casme2", root="/a", fps=200.0)
    b = Dataset(name="B", format="ckplus", root="/b", purpose="macro", is_synthetic=True)
    session.add_all([a, b])
    session.flush()
    s1, s2, s3 = (
        Subject(dataset_id=a.id, code="sub01"),
        Subject(dataset_id=a.id, code="sub02"),
        Subject(dataset_id=b.id, code="S005"),
    )
    session.add_all([s1, s2, s3])
    session.flush()
    rows = []
    for k in range(20):
        rows.append(
            {
                "dataset_id": a.id,
                "subject_id": (s1 if k < 12 else s2).id,
                "name": f"EP{k:02d}_clip",
                "path": f"c{k}",
                "n_frames": 3,
                "first_frame": 10,
                "last_frame": 12,
                "onset": 10,
                "apex": 11,
                "offset": 12,
                "label": LABELS[k % 4],
                "emotion_raw": "x",
                "n_annotators": 1 + k % 3,
                "agreement": None if k % 3 == 0 else (0.5 if k % 3 == 1 else 1.0),
            }
        )
    for k in range(5):
        rows.append(
            {
                "dataset_id": b.id,
                "subject_id": s3.id,
                "name": f"seq{k}",
                "path": f"s{k}",
                "kind": "macro",
                "n_frames": 4,
                "first_frame": 1,
                "last_frame": 4,
                "label": "surprise",
            }
        )
    session.execute(insert(Clip), rows)
    ids = dict(session.execute(select(Clip.name, Clip.id)).all())
    session.execute(
        insert(Frame),
        [{"clip_id": ids["EP00_clip"], "index": i, "number": 12 - i, "path": f"f{i}"} for i in (2, 0, 1)],
    )
    session.commit()
    return {"A": a.id, "B": b.id, "sub02": s2.id, **ids}


def test_filters_and_pagination(session: Session, catalog: dict[str, int]) -> None:
    everything = list_clips(session, ClipFilter(), page=0, page_size=10)
    assert everything.total == 25 and len(everything.rows) == 10 and everything.n_pages == 3
    last = list_clips(session, ClipFilter(), page=2, page_size=10)
    assert len(last.rows) == 5 and last.rows[-1]["name"] == "seq4"
    ids = [r["id"] for r in everything.rows]
    assert ids == sorted(ids)
    row = everything.rows[0]
    assert (row["dataset"], row["subject"], row["name"], row["label"], row["synthetic"]) == (
        "A",
        "sub01",
        "EP00_clip",
        "negative",
        False,
    )
    neg_a = list_clips(session, ClipFilter(dataset_ids=[catalog["A"]], labels=["negative"]))
    assert neg_a.total == 5 and {r["label"] for r in neg_a.rows} == {"negative"}
    agreeing = list_clips(session, ClipFilter(dataset_ids=[catalog["A"]], min_majority=0.9))
    assert agreeing.total == 6 and all(r["majority_share"] == 1.0 for r in agreeing.rows)
    assert list_clips(session, ClipFilter(max_majority=0.6)).total == 7
    assert list_clips(session, ClipFilter(min_annotators=3)).total == 6
    assert list_clips(session, ClipFilter(subject_ids=[catalog["sub02"]])).total == 8
    assert list_clips(session, ClipFilter(kinds=["macro"])).total == 5
    assert list_clips(session, ClipFilter(dataset_names=["B"])).total == 5
    assert [r["name"] for r in list_clips(session, ClipFilter(text="EP1")).rows][:2] == [
        "EP10_clip",
        "EP11_clip",
    ]
    assert list_clips(session, ClipFilter(text="EP1")).total == 10
    assert list_clips(session, ClipFilter(text="%")).total == 0  # wildcards are literal
    combo = list_clips(
        session, ClipFilter(dataset_ids=[catalog["A"]], labels=["positive", "surprise"], min_majority=0.5)
    )
    assert combo.total == 7


def test_annotator_filter_and_save_annotation(session: Session, catalog: dict[str, int]) -> None:
    clip_id = catalog["EP00_clip"]
    for name, label in (("source", "negative"), ("alice", "negative"), ("bob", "positive")):
        if name == "source":
            session.add(Annotation(clip_id=clip_id, annotator="source", label=label))
            session.flush()
        else:
            save_annotation(session, clip_id, name, 10, 11, 12, "4", "disgust", label)
    clip = session.get(Clip, clip_id)
    assert (clip.n_annotators, clip.agreement) == (3, pytest.approx(0.6667, abs=1e-3))
    ann = save_annotation(session, clip_id, "bob", 10, 10, 11, "", "disgust", "negative", opened_version=1)
    assert (ann.onset, ann.offset) == (10, 11)
    assert (clip.n_annotators, clip.agreement) == (3, 1.0)
    assert [a.annotator for a in annotations_for(session, clip_id)] == ["source", "alice", "bob"]
    session.commit()
    assert [r["id"] for r in list_clips(session, ClipFilter(annotator="alice")).rows] == [clip_id]


def test_save_annotation_rejects_bad_marks(session: Session, catalog: dict[str, int]) -> None:
    clip_id = catalog["EP01_clip"]
    with pytest.raises(GlimpseError, match="onset 12 is after offset 10"):
        save_annotation(session, clip_id, "alice", 12, None, 10)
    with pytest.raises(GlimpseError, match="apex 9 is outside the clip's frames 10–12"):
        save_annotation(session, clip_id, "alice", 10, 9, 12)
    with pytest.raises(GlimpseError, match="does not exist"):
        save_annotation(session, 999_999, "alice", 10, 11, 12)
    with pytest.raises(GlimpseError, match="annotator name is empty"):
        save_annotation(session, clip_id, " ", 10, 11, 12)
    assert session.scalar(select(Annotation.id).where(Annotation.clip_id == clip_id)) is None


def test_stats_frames_training_snapshot(session: Session, catalog: dict[str, int]) -> None:
    stats = {s["name"]: s for s in dataset_stats(session)}
    assert (stats["A"]["clips"], stats["A"]["subjects"], stats["A"]["frames"]) == (20, 2, 60)
    assert stats["A"]["labels"] == {"negative": 5, "positive": 5, "surprise": 5, "unlabelled": 5}
    assert (stats["B"]["purpose"], stats["B"]["is_synthetic"], stats["B"]["fps"]) == ("macro", True, None)
    assert [(f.index, f.number) for f in clip_frames(session, catalog["EP00_clip"])] == [
        (0, 12),
        (1, 11),
        (2, 10),
    ]
    training = clips_for_training(session, ["A"], LABELS_ME)
    assert len(training) == 15 and None not in {c.label for c in training}
    assert [c.id for c in training] == sorted(c.id for c in training)
    assert len(clips_for_training(session, ["A", "B"], labels=["surprise"])) == 10
    snap = catalog_snapshot(session)
    assert len(snap) == 16 and catalog_snapshot(session) == snap
    session.get(Clip, catalog["EP02_clip"]).label = "negative"
    session.flush()
    changed = catalog_snapshot(session)
    assert changed != snap
    save_annotation(session, catalog["EP03_clip"], "carol", 10, 11, 12, label="positive")
    assert catalog_snapshot(session) != changed


def test_filtered_page_uses_an_index(session: Session, catalog: dict[str, int]) -> None:
    for flt in (
        ClipFilter(dataset_ids=[catalog["A"]], labels=["negative"]),
        ClipFilter(dataset_ids=[catalog["A"]], min_majority=0.5),
        ClipFilter(dataset_ids=[catalog["A"]], subject_ids=[catalog["sub02"]]),
    ):
        from db.queries.clips import _apply  # the WHERE clause list_clips uses

        stmt = _apply(select(Clip.id), flt).order_by(Clip.id).limit(100)
        sql = str(stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
        plan = " ".join(str(r[-1]) for r in session.execute(text("EXPLAIN QUERY PLAN " + sql)))
        assert "USING" in plan and "INDEX" in plan, plan
