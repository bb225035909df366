"""Links that open a clip on the Annotate page (``/annotate?clip=<id>[&frame=<n>]``), from any page: the one
place that builds them (a page link, or a URL for a table's link column).

The page object is built from the same callable and url_path as in ``workbench.app``, so Streamlit
resolves it to the registered page and keeps the session (client-side navigation).
"""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from workbench.pages import annotate

ANNOTATE_URL_PATH = "annotate"


def annotate_page() -> st.Page:
    return st.Page(annotate.render, title="Annotate", icon=":material/edit_note:", url_path=ANNOTATE_URL_PATH)


def annotate_query(clip_id: int, frame: int | None = None) -> dict[str, str]:
    """The Annotate page's query parameters for a clip (and the dataset frame its player opens at)."""
    query = {annotate.URL_CLIP: str(clip_id)}
    if frame is not None:
        query[annotate.URL_FRAME] = str(frame)
    return query


def annotate_url(clip_id: int, frame: int | None = None) -> str:
    """The same place as a relative URL (for ``st.column_config.LinkColumn`` cells)."""
    return f"/{ANNOTATE_URL_PATH}?{urlencode(annotate_query(clip_id, frame))}"


def annotate_link(
    clip_id: int,
    label: str = "Annotate this clip",
    frame: int | None = None,
    icon: str = ":material/edit_note:",
) -> None:
    st.page_link(
        annotate_page(), label=f"{label} (#{clip_id})", icon=icon, query_params=annotate_query(clip_id, frame)
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
