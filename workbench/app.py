"""The workbench shell: navigation between the pages, the sidebar (catalog, face backend), optional login.

The catalog schema is upgraded on start (``engine.api`` opens it through ``session_factory``).
"""

from __future__ import annotations

import streamlit as st

from engine import api
from workbench import state
from workbench.components.login import login_configured
from workbench.pages import (
    clips,
    code_next,
    compare,
    datasets,
    results,
    review,
    spotting,
    train,
    trajectories,
)
from workbench.pages.links import annotate_page

PAGES = [
    st.Page(datasets.render, title="Datasets", icon=":material/dataset:", url_path="datasets", default=True),
    st.Page(clips.render, title="Clips", icon=":material/movie:", url_path="clips"),
    annotate_page(),
    st.Page(review.render, title="Review", icon=":material/rule:", url_path="review"),
    st.Page(code_next.render, title="Code next", icon=":material/low_priority:", url_path="code-next"),
    st.Page(train.render, title="Train", icon=":material/model_training:", url_path="train"),
    st.Page(results.render, title="Results", icon=":material/bar_chart:", url_path="results"),
    st.Page(compare.render, title="Compare", icon=":material/compare:", url_path="compare"),
    st.Page(trajectories.render, title="Trajectories", icon=":material/timeline:", url_path="trajectories"),
    st.Page(spotting.render, title="Spotting", icon=":material/frame_inspect:", url_path="spotting"),
]


def sidebar() -> None:
    with st.sidebar:
        st.caption("catalog")
        st.code(api.catalog_location(), language=None)
        st.caption(f"face backend of shown crops: **{state.get(state.FACE_BACKEND) or '–'}**")
        if login_configured() and st.user.is_logged_in:
            st.caption(f"signed in as {st.user.get('name') or st.user.get('email')}")
            st.button("Log out", on_click=st.logout)


def main() -> None:
    st.set_page_config(page_title="Glimpse", page_icon=":material/visibility:", layout="wide")
    if login_configured() and not st.user.is_logged_in:
        st.title("Glimpse")
        st.button("Log in", on_click=st.login)
        st.stop()
    page = st.navigation(PAGES)
    page.run()
    sidebar()  # after the page, so it names the face backend the page just showed
