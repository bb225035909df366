"""Code next page: a dataset's clips ranked for coders and adjudicators by a stated score (model
uncertainty over chosen runs, run and coder disagreement, uncoded), the reason beside each clip, a link
to code it, and "make it an assignment" for the top of the queue."""

from __future__ import annotations

import streamlit as st

from engine import api
from engine.errors import GlimpseError
from workbench import identity, state
from workbench.components.downloads import table_download
from workbench.pages.links import annotate_link

SCORE = (
    "score = w_E·E + w_R·R + w_C·C + w_U·U — E: entropy of the class scores averaged over the chosen "
    "runs, over its maximum; R: share of the chosen runs not predicting the modal class; C: share of the "
    "coders not giving the most common label; U: 1 when no coder has coded the clip. Each term is in [0, 1]."
)


def render() -> None:
    st.title("Code next")
    st.caption(SCORE)
    try:
        datasets = [d.name for d in api.datasets() if d.purpose == "micro"]
        ablations = api.ablations()
        runs = api.runs(limit=500)
    except GlimpseError as error:
        state.show_error(error)
        return
    if not datasets:
        st.info("No ME dataset yet. Ingest one on the Datasets page.")
        return
    c = st.columns(3)
    dataset = c[0].selectbox("dataset", datasets, key="next_dataset")
    ablation = c[1].selectbox(
        "model terms from an ablation (its seeds and variants)",
        [None, *ablations["id"].tolist()],
        format_func=lambda i: "(none)" if i is None else i,
        key="next_ablation",
    )
    picked = c[2].multiselect("… or from runs", runs[runs.kind == "loso"]["id"].tolist(), key="next_runs")
    w = st.columns(5)
    weights = api.QueueWeights(
        entropy=w[0].number_input("w_E entropy", 0.0, value=1.0, step=0.5, key="next_w_e"),
        runs=w[1].number_input("w_R runs disagree", 0.0, value=1.0, step=0.5, key="next_w_r"),
        coders=w[2].number_input("w_C coders disagree", 0.0, value=1.0, step=0.5, key="next_w_c"),
        uncoded=w[3].number_input("w_U uncoded", 0.0, value=1.0, step=0.5, key="next_w_u"),
    )
    limit = int(w[4].number_input("show", 1, value=50, step=10, key="next_limit"))
    try:
        table = api.code_next_table(identity.viewer(), dataset, picked, ablation, weights, limit)
    except GlimpseError as error:
        state.show_error(error)
        return
    event = st.dataframe(
        table, hide_index=True, on_select="rerun", selection_mode="single-row", key="next_table"
    )
    table_download(table, f"code_next_{dataset}", key="next_csv")
    rows = event.selection.rows if event and hasattr(event, "selection") else []
    if rows:
        annotate_link(int(table.iloc[rows[0]]["clip_id"]))
    with st.expander("Make it an assignment"):
        a = st.columns(3)
        top = int(a[0].number_input("top clips", 1, value=min(20, max(1, len(table))), key="next_top"))
        coders = a[1].text_input("coders (comma separated)", key="next_coders")
        per_clip = int(a[2].number_input("coders per clip", 1, value=2, key="next_k"))
        if st.button("Assign", key="next_assign"):
            names = [n.strip() for n in coders.split(",") if n.strip()]
            try:
                assignment = api.assign_code_next(
                    identity.viewer(),
                    table.clip_id.head(top).tolist(),
                    names,
                    per_clip,
                    name=f"code next {dataset} top {top}",
                    spec={"dataset": dataset, "runs": list(picked), "ablation": ablation},
                )
                st.success(f"assignment {assignment} created")
            except GlimpseError as error:
                state.show_error(error)
