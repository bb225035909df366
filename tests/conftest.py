"""Shared fixtures: an isolated GLIMPSE_HOME with a migrated catalog per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from db.session import default_url, session_factory


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data home (catalog, cache, runs) for one test."""
    path = tmp_path / "glimpse-home"
    path.mkdir()
    monkeypatch.setenv("GLIMPSE_HOME", str(path))
    monkeypatch.delenv("GLIMPSE_DB_URL", raising=False)
    return path


@pytest.fixture()
def db_url(home: Path) -> str:
    return default_url(home)


@pytest.fixture()
def session(db_url: str) -> Iterator[Session]:
    """A session on a freshly migrated catalog."""
    with session_factory(db_url)() as s:
        yield s
