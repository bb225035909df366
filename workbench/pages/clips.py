"""Clips page: filter the catalog's clips; selecting a row opens the player."""

from __future__ import annotations

import streamlit as st

from engine import api
from engine.errors import GlimpseError
from workbench import state
from workbench.components.downloads import table_download
from workbench.components.links import annotate_link
from workbench.components.player import render_player

ALL = "(all)"
PAGE_SIZE = 50


def render() -> None:
    st.title("Clips")
    try:
        options = api.filter_options()
    except GlimpseError as error:
        state.show_error(error)
        return
    cols = st.columns(5)
    dataset = cols[0].selectbox("dataset", [ALL, *options["dataset"]], key="clips_f_dataset")
    subjects = options["subject"]
    subject = cols[1].selectbox(
        "subject", [ALL, *subjects], format_func=lambda s: subjects.get(s, s), key="clips_f_subject"
    )
    label = cols[2].selectbox("label", [ALL, *options["label"]], key="clips_f_label")
    annotator = cols[3].selectbox("annotator", [ALL, *options["annotator"]], key="clips_f_annotator")
    chosen = {"dataset": dataset, "subject_id": subject, "label": label, "annotator": annotator}
    lo, hi = cols[4].slider("agreement", 0.0, 1.0, (0.0, 1.0), 0.05, key="clips_f_agreement")
    filters = {k: (None if v == ALL else v) for k, v in chosen.items()}
    if (lo, hi) != (0.0, 1.0):
        filters.update(min_agreement=lo, max_agreement=hi)
    page = st.number_input("page", min_value=1, value=1, step=1, key="clips_page") - 1
    try:
        table, total = api.clips(filters, page=int(page), page_size=PAGE_SIZE)
    except GlimpseError as error:
        state.show_error(error)
        return
    st.caption(f"**{total} clips** match · page {page + 1} of {max(1, -(-total // PAGE_SIZE))}")
    if not table.empty:
        table["synthetic"] = table["synthetic"].map(lambda s: "SYNTHETIC" if s else "")
    event = st.dataframe(
        table,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="clips_table",
    )
    table_download(table, "clips", key="clips")
    rows = event.selection.rows if event and hasattr(event, "selection") else []
    if rows:
        state.put(state.CLIP, int(table.iloc[rows[0]]["id"]))
    clip_id = state.get(state.CLIP)
    if clip_id is None:
        st.info("Select a clip in the table to open the player.")
        return
    st.divider()
    annotate_link(int(clip_id))
    render_player(int(clip_id), key="clips")
