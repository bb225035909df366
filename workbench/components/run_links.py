"""Links to a run on Results (``/results?run=<id>``) and to an ablation on Compare
(``/compare?ablation=<id>``), from any page or component.

Streamlit finds a linked page by its url_path alone (a page's hash is its url_path's), so a link to a
*target* page object with the same url_path opens the page ``workbench.app`` registered and keeps the
session (client-side navigation). Targets, not the page objects themselves: the pages that link here
are imported by those pages' modules, and the arrows between page modules must not circle.
"""

from __future__ import annotations

import streamlit as st

RESULTS_URL_PATH = "results"
COMPARE_URL_PATH = "compare"
RUN_PARAM, ABLATION_PARAM = "run", "ablation"


def _registered_elsewhere() -> None:
    """Never run: a click on a link runs the page ``st.navigation`` registered under that url_path."""
    raise RuntimeError("a link target is not a page; workbench.app registers the real one")


def _link(title: str, url_path: str, icon: str, query: dict[str, str], label: str) -> None:
    target = st.Page(_registered_elsewhere, title=title, icon=icon, url_path=url_path)
    st.page_link(target, label=label, icon=icon, query_params=query)


def results_link(run_id: str, label: str | None = None) -> None:
    """Opens a run on the Results page."""
    label = label or f"Open run {run_id} on Results"
    _link("Results", RESULTS_URL_PATH, ":material/bar_chart:", {RUN_PARAM: run_id}, label)


def compare_link(ablation_id: str, label: str | None = None) -> None:
    """Opens an ablation on the Compare page."""
    label = label or f"Compare the variants of ablation {ablation_id}"
    _link("Compare", COMPARE_URL_PATH, ":material/compare:", {ABLATION_PARAM: ablation_id}, label)
