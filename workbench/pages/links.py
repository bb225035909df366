"""Links between pages: a clip on the Annotate page (``/annotate?clip=<id>``), a run on Results
(``/results?run=<id>``), an ablation on Compare (``/compare?ablation=<id>``).

Streamlit finds a linked page by its url_path alone (the page's hash), so a link opens the page
registered in ``workbench.app`` and keeps the session (client-side navigation). The Annotate page
object is the real one; Results and Compare are link targets (``_target``), because the page
modules that link to them are imported by them.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from workbench.pages import annotate

ANNOTATE_URL_PATH = "annotate"
DATASETS_URL_PATH = "datasets"
RESULTS_URL_PATH = "results"
COMPARE_URL_PATH = "compare"


def annotate_page() -> st.Page:
    return st.Page(annotate.render, title="Annotate", icon=":material/edit_note:", url_path=ANNOTATE_URL_PATH)


def annotate_link(clip_id: int, label: str = "Annotate this clip") -> None:
    st.page_link(
        annotate_page(),
        label=f"{label} (#{clip_id})",
        icon=":material/edit_note:",
        query_params={"clip": str(clip_id)},
    )


def _registered_elsewhere() -> None:
    """Never run: a click on a link runs the page ``st.navigation`` registered under that url_path."""
    raise RuntimeError("a link target is not a page; workbench.app registers the real one")


def _target(title: str, url_path: str, icon: str) -> st.Page:
    return st.Page(_registered_elsewhere, title=title, icon=icon, url_path=url_path)


def results_link(run_id: str, label: str | None = None) -> None:
    """Opens a run on the Results page."""
    st.page_link(
        _target("Results", RESULTS_URL_PATH, ":material/bar_chart:"),
        label=label or f"Open run {run_id} on Results",
        icon=":material/bar_chart:",
        query_params={"run": run_id},
    )


def compare_link(ablation_id: str, label: str | None = None) -> None:
    """Opens an ablation on the Compare page."""
    st.page_link(
        _target("Compare", COMPARE_URL_PATH, ":material/compare:"),
        label=label or f"Compare the variants of ablation {ablation_id}",
        icon=":material/compare:",
        query_params={"ablation": ablation_id},
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
