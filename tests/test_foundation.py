"""The catalog's migrations match the models, SQLite runs with the pragmas we rely on, paths stay in root."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from db.schema import Base, Clip, Dataset, Subject
from db.session import MIGRATIONS_DIR, make_engine
from engine.errors import GlimpseError
from engine.paths import resolve_within


def test_migrations_produce_exactly_the_models_schema(backend_url: str) -> None:
    engine = make_engine(backend_url)  # the fixture ran `alembic upgrade head` on SQLite / PostgreSQL
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        version = connection.execute(text("select version_num from alembic_version")).scalar_one()
    assert diff == []
    assert version == ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(session) -> None:
    assert session.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    assert session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    assert session.execute(text("PRAGMA busy_timeout")).scalar_one() == 30_000


def test_foreign_keys_are_enforced(session) -> None:
    session.add(Clip(dataset_id=999, subject_id=999, name="x", path="x"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_deleting_a_dataset_cascades_to_its_clips(session) -> None:
    dataset = Dataset(name="d", format="folder", root="/tmp")
    subject = Subject(dataset=dataset, code="s1")
    session.add(Clip(dataset=dataset, subject=subject, name="c", path="c"))
    session.commit()
    session.delete(dataset)
    session.commit()
    assert session.execute(text("select count(*) from clips")).scalar_one() == 0
    assert session.execute(text("select count(*) from subjects")).scalar_one() == 0


def test_resolve_within_refuses_escapes(tmp_path: Path) -> None:
    (tmp_path / "root" / "a").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (tmp_path / "root" / "link").symlink_to(tmp_path / "outside")
    root = tmp_path / "root"
    assert resolve_within(root, "a") == (root / "a").resolve()
    for bad in ("../outside", "/etc/passwd", "link", "a/../../outside"):
        with pytest.raises(GlimpseError, match="escapes its root"):
            resolve_within(root, bad)


def test_glimpse_error_names_where_and_what_to_do() -> None:
    error = GlimpseError("onset after offset", where="coding.xlsx, row 7", hint="fix the row")
    assert str(error) == "coding.xlsx, row 7: onset after offset (fix the row)"


def test_code_version_names_the_commit_and_a_dirty_tree() -> None:
    from engine.provenance import _git, code_version

    commit = _git("rev-parse", "--short", "HEAD")
    assert code_version().startswith(f"0.1.0+g{commit}")
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    assert code_version().endswith(".dirty") == dirty
