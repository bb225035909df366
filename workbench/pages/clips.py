"""Clips page: filter the catalog's clips; selecting a row opens the player."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine import api
from engine.errors import GlimpseError
from workbench import state
from workbench.components.downloads import table_download
from workbench.components.player import render_player
from workbench.pages.links import annotate_link

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
    dataset = cols[0].selectbox("dataset", [ALL, *options.datasets], key="clips_f_dataset")
    subjects = options.subjects
    subject_choices: list[str | int] = [ALL, *subjects]  # ALL, then subject ids
    subject = cols[1].selectbox(
        "subject",
        subject_choices,
        format_func=lambda s: s if isinstance(s, str) else subjects.get(s, str(s)),
        key="clips_f_subject",
    )
    label = cols[2].selectbox("label", [ALL, *options.labels], key="clips_f_label")
    annotator = cols[3].selectbox("annotator", [ALL, *options.annotators], key="clips_f_annotator")
    lo, hi = cols[4].slider(
        "majority agreement",
        0.0,
        1.0,
        (0.0, 1.0),
        0.05,
        key="clips_f_majority",
        help="share of a clip's annotators who chose its majority label",
    )
    query = api.ClipQuery(
        dataset=None if dataset == ALL else dataset,
        subject_id=subject if isinstance(subject, int) else None,
        label=None if label == ALL else label,
        annotator=None if annotator == ALL else annotator,
        min_majority=None if (lo, hi) == (0.0, 1.0) else lo,
        max_majority=None if (lo, hi) == (0.0, 1.0) else hi,
    )
    page = st.number_input("page", min_value=1, value=1, step=1, key="clips_page") - 1
    try:
        table, total = api.clips(query, page=int(page), page_size=PAGE_SIZE)
    except GlimpseError as error:
        state.show_error(error)
        return
    st.caption(f"**{total} clips** match · page {page + 1} of {max(1, -(-total // PAGE_SIZE))}")
    if not table.empty:
        table["synthetic"] = table["synthetic"].map(lambda s: "SYNTHETIC" if s else "")
        # gone from the source: kept with annotations and predictions, out of training; back when files return
        table["missing_since"] = table["missing_since"].map(
            lambda t: "" if pd.isna(t) else f"MISSING {t:%Y-%m-%d}"
        )
    table = table.rename(columns={"missing_since": "missing"})
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
