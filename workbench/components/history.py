"""A clip's coding history on the Annotate page: every saved version (who, when, before → after), and
for researchers and admins a button restoring one (the facade checks the role again)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine import api
from engine.errors import GlimpseError
from workbench import state

RESTORERS = ("admin", "researcher")


def _shown(value: object) -> str:
    return "–" if value is None or value == "" else str(value)


def history_section(viewer: api.Actor, actor: api.Actor | None, clip_id: int) -> None:
    with st.expander("History of this clip's codings"):
        try:
            changes = api.clip_history(viewer, clip_id)
        except GlimpseError as error:
            state.show_error(error)
            return
        if not changes:
            st.caption("no saved codings yet")
            return
        table = pd.DataFrame(
            [
                {
                    "annotator": c.annotator,
                    "version": c.version,
                    "saved by": c.saved_by,
                    "saved at": c.saved_at,
                    "change": "; ".join(f"{f} {_shown(b)} → {_shown(a)}" for f, (b, a) in c.changes.items())
                    or "(no change)",
                    "restores": c.restored_from,
                }
                for c in changes
            ]
        )
        st.dataframe(table, hide_index=True, key=f"history_{clip_id}")
        if actor is None or actor.role not in RESTORERS:
            return
        versions = [(c.annotator, c.version) for c in changes]
        pick = st.selectbox(
            "version to restore", versions, format_func=lambda v: f"{v[0]} version {v[1]}",
            key=f"history_pick_{clip_id}",
        )  # fmt: skip
        if st.button("Restore this version", key=f"history_restore_{clip_id}"):
            try:
                saved = api.restore_version(actor, clip_id, pick[0], pick[1])
            except GlimpseError as error:
                state.show_error(error)
                return
            st.success(f"restored {pick[0]}'s version {pick[1]} as version {saved.version}")
