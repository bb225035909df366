"""The workbench shell: navigation between the pages, the sidebar (catalog, face backend), optional login.

The catalog schema is upgraded on start (``engine.api`` opens it through ``session_factory``).
"""

from __future__ import annotations

import streamlit as st

from engine import api
from workbench import state
from workbench.components.run_links import COMPARE_URL_PATH, RESULTS_URL_PATH
from workbench.pages import clips, compare, datasets, results, review, spotting, train, trajectories
from workbench.pages.links import annotate_page


def _datasets_page() -> st.Page:
    return st.Page(datasets.render, title="Datasets", icon=":material/dataset:", url_path="datasets")


def _home() -> None:
    """The app's root URL opens the Datasets page under its own address. (Made the default page itself,
    Datasets would be served at "/" only, and "/datasets" — a bookmark, a link — would be "Page not
    found": Streamlit serves the default page at the root whatever its url_path.)"""
    st.switch_page(_datasets_page())


def pages() -> list[st.Page]:
    """The navigation, built inside the script run (a ``st.Page`` made outside one is inert)."""
    return [
        st.Page(_home, title="Glimpse", url_path="home", default=True, visibility="hidden"),
        _datasets_page(),
        st.Page(clips.render, title="Clips", icon=":material/movie:", url_path="clips"),
        annotate_page(),
        st.Page(review.render, title="Review", icon=":material/rule:", url_path="review"),
        st.Page(train.render, title="Train", icon=":material/model_training:", url_path="train"),
        st.Page(results.render, title="Results", icon=":material/bar_chart:", url_path=RESULTS_URL_PATH),
        st.Page(compare.render, title="Compare", icon=":material/compare:", url_path=COMPARE_URL_PATH),
        st.Page(
            trajectories.render, title="Trajectories", icon=":material/timeline:", url_path="trajectories"
        ),
        st.Page(spotting.render, title="Spotting", icon=":material/frame_inspect:", url_path="spotting"),
    ]


def _auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all
        return False


def sidebar() -> None:
    with st.sidebar:
        st.caption("catalog")
        st.code(api.catalog_location(), language=None)
        st.caption(f"face backend of shown crops: **{state.get(state.FACE_BACKEND) or '–'}**")
        if _auth_configured() and st.user.is_logged_in:
            st.caption(f"signed in as {st.user.get('name') or st.user.get('email')}")
            st.button("Log out", on_click=st.logout)


def main() -> None:
    st.set_page_config(page_title="Glimpse", page_icon=":material/visibility:", layout="wide")
    if _auth_configured() and not st.user.is_logged_in:
        st.title("Glimpse")
        st.button("Log in", on_click=st.login)
        st.stop()
    page = st.navigation(pages())
    page.run()
    sidebar()  # after the page, so it names the face backend the page just showed
