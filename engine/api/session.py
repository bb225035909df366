"""The one short transaction every facade call opens, and the clip lookup they share.

Each facade function opens its own short transaction, so a Streamlit rerun never holds a session or
a lock across reruns.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from db.faults import faults_as_errors
from db.schema import Clip
from db.session import default_url, session_scope
from engine.errors import GlimpseError


@contextmanager
def get_session() -> Iterator[Session]:
    """One short transaction on the configured catalog (migrated on first use). A catalog that cannot
    answer (busy, unreachable, full) raises the project's error with one sentence, which the pages show
    like any other GlimpseError (a save keeps the user's marks)."""
    with faults_as_errors(), session_scope(default_url()) as session:
        yield session


def catalog_location() -> str:
    """Where the catalog is (shown in the sidebar, and the key of the pages' caches); passwords hidden."""
    return make_url(default_url()).render_as_string(hide_password=True)


def get_clip(session: Session, clip_id: int) -> Clip:
    """The clip row, or the user error the pages show when the id is stale."""
    clip = session.get(Clip, int(clip_id))
    if clip is None:
        raise GlimpseError(f"clip {clip_id} is not in the catalog", hint="pick a clip from the Clips table")
    return clip
