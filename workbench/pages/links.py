"""Links that open a clip on the Annotate page (``/annotate?clip=<id>``), from any page.

The page object is built from the same callable and url_path as in ``workbench.app``, so Streamlit
resolves it to the registered page and keeps the session (client-side navigation).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from workbench.pages import annotate

ANNOTATE_URL_PATH = "annotate"


def annotate_page() -> st.Page:
    return st.Page(annotate.render, title="Annotate", icon=":material/edit_note:", url_path=ANNOTATE_URL_PATH)


def annotate_link(clip_id: int, label: str = "Annotate this clip") -> None:
    st.page_link(
        annotate_page(),
        label=f"{label} (#{clip_id})",
        icon=":material/edit_note:",
        query_params={"clip": str(clip_id)},
    )


def cell_clip_links(clips: pd.DataFrame, limit: int = 24) -> None:
    """Links to Annotate for the clips of a confusion-matrix cell (``clip_id``/``dataset``/``clip``)."""
    if clips.empty:
        st.caption("no clips in this cell")
        return
    cols = st.columns(3)
    for i, row in enumerate(clips.head(limit).itertuples()):
        with cols[i % 3]:
            annotate_link(int(row.clip_id), label=f"{row.dataset}/{row.subject}/{row.clip}")
    if len(clips) > limit:
        st.caption(f"… and {len(clips) - limit} more (see the table)")
