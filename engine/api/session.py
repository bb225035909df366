"""The one short transaction every facade call opens, and the clip lookup they share.

Each function opens its own short transaction, so a Streamlit rerun never holds a session or a lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from db.schema import (
    Clip,
)
from db.session import default_url, session_scope
from engine.errors import GlimpseError


@contextmanager
def get_session() -> Iterator[Session]:
    """One short transaction on the configured catalog (migrated on first use)."""
    with session_scope(default_url()) as session:
        yield session


def get_clip(session: Session, clip_id: int) -> Clip:
    clip = session.get(Clip, int(clip_id))
    if clip is None:
        raise GlimpseError(f"clip {clip_id} is not in the catalog", hint="pick a clip from the Clips table")
    return clip
