"""Fixtures of the spotting tests: the toy long-video catalog (``spotting_catalog``) in a fresh home."""

from __future__ import annotations

from pathlib import Path

import pytest
from spotting_catalog import build_long_dataset
from sqlalchemy.orm import Session

from db.schema import Dataset


@pytest.fixture()
def long_dataset(session: Session, home: Path) -> Dataset:
    return build_long_dataset(session, home / "datasets" / "toy-long")
