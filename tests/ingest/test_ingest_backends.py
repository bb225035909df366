"""Ingest on each catalog backend (SQLite and a real PostgreSQL): the same rows, the same ids on
re-ingest, annotations kept, a failed ingest leaves nothing behind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ingest_layouts import casme2
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_ingest_catalog import ROWS, counts

from db.queries import save_annotation
from db.schema import Annotation, Clip, Dataset
from db.session import session_factory
from engine.errors import GlimpseError
from engine.ingest.catalog import ingest_dataset


@pytest.fixture()
def session(backend_url: str) -> Iterator[Session]:
    with session_factory(backend_url)() as s:
        yield s


def test_ingest_and_reingest_on_each_backend(session: Session, tmp_path: Path) -> None:
    root = casme2(tmp_path / "CASME2", ROWS)
    report = ingest_dataset(session, root, name="c2")
    assert (report.n_clips, report.n_subjects, report.n_frames) == (4, 3, 83)
    assert counts(session) == (1, 3, 4, 83, 4)
    ids = dict(session.execute(select(Clip.name, Clip.id)).all())
    save_annotation(session, ids["EP03_02"], "alice", 10, 13, 19, "4", "disgust", "negative")
    session.commit()
    again = ingest_dataset(session, root, name="c2")
    assert (again.n_new, again.n_missing) == (0, 0)
    assert dict(session.execute(select(Clip.name, Clip.id)).all()) == ids
    assert session.scalar(select(Annotation.version).where(Annotation.annotator == "alice")) == 1
    assert session.get(Clip, ids["EP03_02"]).n_annotators == 2


def test_failed_ingest_writes_nothing_on_each_backend(session: Session, tmp_path: Path) -> None:
    with pytest.raises(GlimpseError):
        ingest_dataset(session, tmp_path / "missing", name="nothing")
    session.rollback()
    assert session.scalars(select(Dataset)).all() == []
