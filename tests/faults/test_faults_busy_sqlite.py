"""Issue 16 item 2: another process holds the SQLite catalog's write lock (BEGIN IMMEDIATE) longer than
Glimpse waits: `glimpse ingest` and an annotation save end in one sentence naming the holder, exit 2 /
the project's error; nothing is half-written, and the same command works once the lock is gone."""

from __future__ import annotations

from pathlib import Path

import pytest
from faults_support import cli_env, run_cli, write_lock_held
from ingest.ingest_layouts import casme2  # type: ignore[import-not-found]
from sqlalchemy import func, select

from db.schema import Annotation, Clip, Dataset, Job
from db.session import default_url, session_factory
from engine import api
from engine.errors import GlimpseError

ROWS = [(1, "EP02_01f", 5, 6, 8, "12", "happiness"), (2, "EP03_02", 9, 10, 12, "4", "disgust")]


def _count(model: type) -> int:
    with session_factory(default_url())() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_ingest_on_a_busy_catalog_says_who_holds_it(home: Path, tmp_path: Path) -> None:
    session_factory(default_url())  # a migrated catalog
    root = casme2(tmp_path / "CASME2", ROWS)
    env = cli_env(GLIMPSE_SQLITE_BUSY_S="1")
    with write_lock_held(home / "catalog.sqlite") as holder:
        result = run_cli("ingest", str(root), "--name", "c2", env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    said = " ".join(result.stderr.split())
    assert f"the catalog is busy: process {holder.pid} (" in said, said
    assert "try again when it is done" in said and "Traceback" not in result.stderr + result.stdout
    assert (_count(Dataset), _count(Job)) == (0, 0)  # nothing half-written
    again = run_cli("ingest", str(root), "--name", "c2", env=env)
    assert again.returncode == 0, again.stderr
    assert _count(Dataset) == 1


def test_a_save_on_a_busy_catalog_is_refused_in_one_sentence(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLIMPSE_SQLITE_BUSY_S", "1")
    assert run_cli("ingest", str(casme2(tmp_path / "CASME2", ROWS)), "--name", "c2").returncode == 0
    with session_factory(default_url())() as session:
        clip_id = int(session.scalars(select(Clip.id).order_by(Clip.id)).first() or 0)
    opened = api.open_annotation(api.local_actor("ana"), clip_id).version
    marks = api.Marks(5, 6, 8, "12", "happiness")
    with write_lock_held(home / "catalog.sqlite") as holder, pytest.raises(GlimpseError) as refused:
        api.save_marks(api.local_actor("ana"), clip_id, marks, opened)
    assert str(refused.value).startswith(f"the catalog is busy: process {holder.pid} (")
    before = _count(Annotation)
    saved = api.save_marks(
        api.local_actor("ana"), clip_id, marks, opened
    )  # the same marks, the same opened version
    assert saved.version is not None and _count(Annotation) == before + 1
