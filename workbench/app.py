"""The workbench shell: sign-in (optional), navigation between the pages a role may use, the sidebar.

The catalog schema is upgraded on start (``engine.api`` opens it through ``session_factory``). The pages a
role is offered are a convenience only: every write (and every coding read) checks the role again in
``engine.api``.
"""

from __future__ import annotations

import streamlit as st

from engine import api
from workbench import identity, state
from workbench.components.run_links import COMPARE_URL_PATH, RESULTS_URL_PATH
from workbench.pages import (
    clips,
    code_next,
    coders,
    compare,
    datasets,
    results,
    review,
    spotting,
    train,
    trajectories,
)
from workbench.pages.links import annotate_page

HOME = "home"


def _datasets_page() -> st.Page:
    return st.Page(datasets.render, title="Datasets", icon=":material/dataset:", url_path="datasets")


def _home() -> None:
    """The app's root URL opens the Datasets page under its own address. (Made the default page itself,
    Datasets would be served at "/" only, and "/datasets" — a bookmark, a link — would be "Page not
    found": Streamlit serves the default page at the root whatever its url_path.)"""
    st.switch_page(_datasets_page())


def _pages() -> dict[str, st.Page]:
    """Every page by url path, built afresh on each run (Streamlit marks the pages it is handed, e.g. the
    only page of a coder becomes the default at ``/``, so the objects are not shared between runs; a
    ``st.Page`` made outside a script run is inert)."""
    pages = [
        st.Page(_home, title="Glimpse", url_path=HOME, default=True, visibility="hidden"),
        _datasets_page(),
        st.Page(clips.render, title="Clips", icon=":material/movie:", url_path="clips"),
        annotate_page(),
        st.Page(review.render, title="Review", icon=":material/rule:", url_path="review"),
        st.Page(code_next.render, title="Code next", icon=":material/low_priority:", url_path="code-next"),
        st.Page(train.render, title="Train", icon=":material/model_training:", url_path="train"),
        st.Page(results.render, title="Results", icon=":material/bar_chart:", url_path=RESULTS_URL_PATH),
        st.Page(compare.render, title="Compare", icon=":material/compare:", url_path=COMPARE_URL_PATH),
        st.Page(
            trajectories.render, title="Trajectories", icon=":material/timeline:", url_path="trajectories"
        ),
        st.Page(spotting.render, title="Spotting", icon=":material/frame_inspect:", url_path="spotting"),
        st.Page(coders.render, title="Coders", icon=":material/group:", url_path="coders"),
    ]
    return {page.url_path: page for page in pages}


# a coder codes the clips assigned to them and nothing else; researchers and admins also manage coders
CODER_PAGES = ("annotate",)
VIEWER_HIDDEN = ("coders",)


def pages_for(actor: api.Actor | None) -> list[st.Page]:
    """The pages offered to ``actor`` (None: a local user, all of them)."""
    pages = _pages()
    if actor is None or actor.role in ("admin", "researcher"):
        return list(pages.values())
    if actor.role == "coder":
        return [page for path, page in pages.items() if path in CODER_PAGES]
    return [page for path, page in pages.items() if path not in VIEWER_HIDDEN]


def sidebar(actor: api.Actor | None) -> None:
    with st.sidebar:
        if actor is not None:
            st.caption(f"signed in as **{actor.name}** ({actor.role})")
            st.button("Log out", on_click=st.logout, key="logout")
        else:
            identity.local_name_field()
        st.caption("catalog")
        st.code(api.catalog_location(), language=None)
        st.caption(f"face backend of shown crops: **{state.get(state.FACE_BACKEND) or '–'}**")


def main() -> None:
    st.set_page_config(page_title="Glimpse", page_icon=":material/visibility:", layout="wide")
    actor = identity.gate()  # stops here unless a known person is signed in (when auth is configured)
    page = st.navigation(pages_for(actor))
    page.run()
    sidebar(actor)  # after the page, so it names the face backend the page just showed
