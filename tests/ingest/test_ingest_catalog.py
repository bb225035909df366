"""ingest_dataset: one transaction, idempotent re-ingest, bad input leaves the catalog unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_layouts import CASME2_HEADER, casme2, ckplus, xlsx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.queries import catalog_snapshot, save_annotation
from db.schema import Annotation, Clip, Dataset, Frame, Subject
from engine.errors import GlimpseError
from engine.ingest import catalog as catalog_module
from engine.ingest.catalog import ingest_dataset

ROWS = [
    (1, "EP02_01f", 46, 59, 86, "12", "happiness"),
    (1, "EP03_02", 10, 14, 20, "4+L10", "disgust"),
    (2, "EP01_11f", 5, 8, 12, "14", "repression"),
    (3, "EP06_01f", 3, 5, 9, "1+2", "others"),
]


def counts(session: Session) -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(t)) or 0
        for t in (Dataset, Subject, Clip, Frame, Annotation)
    )


def rewrite_coding(root: Path, rows: list[tuple]) -> None:
    table = [CASME2_HEADER] + [(s, n, None, a, b, c, None, u, e) for s, n, a, b, c, u, e in rows]
    xlsx(root / "CASME2-coding-20140508.xlsx", table)


def test_ingest_writes_everything(session: Session, tmp_path: Path) -> None:
    root = casme2(tmp_path / "CASME2", ROWS)
    report = ingest_dataset(session, root, name="casme2-test")
    assert (report.format, report.n_clips, report.n_subjects) == ("casme2", 4, 3)
    assert report.n_frames == 45 + 15 + 12 + 11
    assert report.label_counts == {"negative": 2, "positive": 1, "unlabelled": 1}
    assert counts(session) == (1, 3, 4, 83, 4)
    ds = session.scalar(select(Dataset))
    assert (ds.name, ds.format, ds.purpose, ds.fps, ds.is_synthetic) == (
        "casme2-test",
        "casme2",
        "micro",
        200.0,
        False,
    )
    clip = session.scalar(select(Clip).where(Clip.name == "EP02_01f"))
    assert (clip.onset, clip.apex, clip.offset, clip.first_frame, clip.last_frame, clip.n_frames) == (
        46,
        59,
        86,
        44,
        88,
        45,
    )
    assert (clip.label, clip.emotion_raw, clip.action_units, clip.kind, clip.subject.code) == (
        "positive",
        "happiness",
        "12",
        "micro",
        "sub01",
    )
    assert (clip.n_annotators, clip.agreement) == (1, None)
    frames = session.scalars(select(Frame).where(Frame.clip_id == clip.id).order_by(Frame.index)).all()
    assert [(f.index, f.number) for f in frames[:2]] == [(0, 44), (1, 45)]
    source = session.scalar(select(Annotation).where(Annotation.clip_id == clip.id))
    assert (source.annotator, source.onset, source.apex, source.offset, source.label, source.emotion) == (
        "source",
        46,
        59,
        86,
        "positive",
        "happiness",
    )


def test_reingest_is_idempotent_and_keeps_ids_and_other_annotations(session: Session, tmp_path: Path) -> None:
    root = casme2(tmp_path / "CASME2", ROWS)
    ingest_dataset(session, root, name="c2")
    ids = dict(session.execute(select(Clip.name, Clip.id)).all())
    clip_id = ids["EP03_02"]
    save_annotation(session, clip_id, "alice", 10, 13, 19, "4", "disgust", "negative")
    session.commit()
    before, snap = counts(session), catalog_snapshot(session)
    report = ingest_dataset(session, root, name="c2")
    assert (report.n_new, report.n_updated, report.n_missing) == (0, 4, 0)
    assert counts(session) == before
    assert catalog_snapshot(session) == snap
    assert dict(session.execute(select(Clip.name, Clip.id)).all()) == ids
    clip = session.get(Clip, clip_id)
    session.refresh(clip)
    assert (clip.n_annotators, clip.agreement) == (2, 1.0)
    # the coding changes: the clip keeps its id, its source row follows, alice's row stays
    rewrite_coding(root, [ROWS[0], (1, "EP03_02", 11, 14, 20, "4", "surprise"), *ROWS[2:]])
    ingest_dataset(session, root, name="c2")
    session.refresh(clip)
    assert (clip.id, clip.onset, clip.label) == (clip_id, 11, "surprise")
    anns = {a.annotator: a for a in session.scalars(select(Annotation).where(Annotation.clip_id == clip_id))}
    assert (anns["source"].onset, anns["source"].label) == (11, "surprise")
    assert (anns["alice"].onset, anns["alice"].label) == (10, "negative")
    assert (clip.n_annotators, clip.agreement) == (2, 0.5)
    # clips that leave the coding are kept, marked missing, whether annotated or not
    rewrite_coding(root, [ROWS[0], ROWS[3]])
    report = ingest_dataset(session, root, name="c2")
    assert (report.n_missing, report.n_restored) == (2, 0)
    assert counts(session) == before
    missing = dict(session.execute(select(Clip.name, Clip.missing_since)).all())
    assert sorted(n for n, m in missing.items() if m is not None) == ["EP01_11f", "EP03_02"]
    assert sum("marked missing" in i.reason for i in report.issues) == 2


def test_nothing_readable_raises_and_leaves_catalog_unchanged(session: Session, tmp_path: Path) -> None:
    root = casme2(tmp_path / "CASME2", ROWS[:1])
    rewrite_coding(root, [(1, "EP02_01f", 90, 59, 86, "12", "happiness")])  # onset after offset
    with pytest.raises(GlimpseError) as error:
        ingest_dataset(session, root)
    assert "nothing could be ingested" in str(error.value)
    assert "CASME2-coding-20140508.xlsx, row 2: onset 90 is after offset 86" in str(error.value)
    assert counts(session) == (0, 0, 0, 0, 0)


def test_failure_mid_write_rolls_back(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = casme2(tmp_path / "CASME2", ROWS)
    ingest_dataset(session, root, name="c2")
    before, snap = counts(session), catalog_snapshot(session)
    rewrite_coding(root, [(1, "EP02_01f", 47, 59, 86, "12", "surprise"), (9, "EP99", 1, 2, 3, "", "fear")])

    def boom(*_args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(catalog_module, "_source_annotations", boom)
    with pytest.raises(RuntimeError):
        ingest_dataset(session, root, name="c2")
    assert counts(session) == before and catalog_snapshot(session) == snap
    assert session.scalar(select(Clip.onset).where(Clip.name == "EP02_01f")) == 46


def test_bad_rows_are_reported_and_the_rest_ingest(session: Session, tmp_path: Path) -> None:
    root = casme2(tmp_path / "CASME2", ROWS)
    (root / "CASME2_RAW_selected/sub02/EP01_11f/img8.jpg").write_bytes(b"garbage")
    report = ingest_dataset(session, root)
    assert report.n_clips == 3
    assert [(i.file, i.row) for i in report.issues] == [("CASME2-coding-20140508.xlsx", 4)]
    assert "img8.jpg" in report.issues[0].reason
    assert session.scalar(select(func.count()).select_from(Clip)) == 3
    meta = session.scalar(select(Dataset.meta))
    assert meta["n_issues"] == 1 and meta["issues"][0].startswith("CASME2-coding-20140508.xlsx, row 4:")


def test_unknown_format_and_missing_root(session: Session, tmp_path: Path) -> None:
    with pytest.raises(GlimpseError, match="does not exist"):
        ingest_dataset(session, tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(GlimpseError, match="cannot tell the dataset format"):
        ingest_dataset(session, tmp_path / "empty")
    with pytest.raises(GlimpseError, match="unknown dataset format"):
        ingest_dataset(session, tmp_path / "empty", fmt="casme9")


def test_ckplus_ingest_is_macro_with_unlabelled_kept(session: Session, tmp_path: Path) -> None:
    root = ckplus(
        tmp_path / "ck", [("S005", "001", 5, 3.0), ("S005", "002", 4, None), ("S010", "001", 6, 7.0)]
    )
    report = ingest_dataset(session, root, fmt="ckplus", name="ck")
    assert (report.purpose, report.n_clips, report.n_frames) == ("macro", 3, 15)
    assert report.label_counts == {"negative": 1, "surprise": 1, "unlabelled": 1}
    clip = session.scalar(select(Clip).where(Clip.label == "surprise"))
    assert (clip.kind, clip.meta["emotion_code"], clip.emotion_raw, clip.apex) == ("macro", 7, "surprise", 6)


def test_dataset_originals_are_never_modified(session: Session, tmp_path: Path) -> None:
    root = casme2(tmp_path / "CASME2", ROWS)

    def state() -> list[tuple[str, int, int]]:
        return sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*"))

    before = state()
    ingest_dataset(session, root)
    ingest_dataset(session, root)
    assert state() == before
