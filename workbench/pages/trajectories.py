"""Trajectories page: per-frame encoder features of a clip as a PCA path, and class scores over time —
one panel per run (small multiples), with the onset/apex/offset of the coding the user picks.

What it reads is cached: the run → clips index is one catalog query plus each file's index (opened
once per file, ``engine.evaluate.trajectories``), and every (run, clip) trajectory is kept with
``st.cache_data`` — a finished run's files never change — so a rerun opens no npz file again.
"""

from __future__ import annotations

import streamlit as st

from engine import api
from engine.errors import GlimpseError
from workbench import identity, state
from workbench.components.charts import scores_figure, trajectory_figure
from workbench.components.downloads import figure_downloads


@st.cache_data(show_spinner=False, max_entries=128)
def _trajectory(catalog: str, run_id: str, clip_id: int) -> api.ClipTrajectory:
    return api.trajectories(run_id, clip_id)


def render() -> None:
    st.title("Trajectories")
    try:
        index = api.trajectory_index()
    except GlimpseError as error:
        state.show_error(error)
        return
    if not index:
        st.info("No run stored per-frame features yet (stage-3 runs write trajectories.npz).")
        return
    clip_ids = sorted({c for clips in index.values() for c in clips})
    current = state.get(state.CLIP)
    names = api.clip_names(clip_ids)
    clip_id = st.selectbox(
        "clip",
        clip_ids,
        index=clip_ids.index(current) if current in clip_ids else 0,
        key="traj_clip",
        format_func=lambda c: f"#{c} {names.get(c, '')}",
    )
    having = [r for r, clips in index.items() if clip_id in clips]
    runs_table = api.runs(limit=1000).set_index("id")
    label = {
        r: f"{runs_table.loc[r, 'variant'] or runs_table.loc[r, 'kind']} · {r}"
        if r in runs_table.index
        else r
        for r in having
    }
    left, right = st.columns([3, 1])
    chosen = left.multiselect(
        "runs (one panel each)", having, default=having[:4], format_func=label.__getitem__, key="traj_runs"
    )
    codings = {c.annotator: c for c in api.coding_marks(clip_id)}
    coding = right.selectbox(
        "marks of the coding",
        list(codings) or ["(none)"],
        key="traj_coding",
        help="whose onset / apex / offset the plots mark (the release's coding is 'source')",
    )
    marks = codings[coding].marks if coding in codings else {}
    if not chosen:
        return
    catalog = api.catalog_location()
    try:
        detail = api.clip_detail(clip_id, identity.viewer())
        data = {label[r]: _trajectory(catalog, r, clip_id) for r in chosen}
    except GlimpseError as error:
        state.show_error(error)
        return
    st.caption(
        f"clip #{clip_id} {detail.dataset}/{detail.subject}/{detail.name} · label {detail.label}"
        + (" · :orange-badge[SYNTHETIC]" if detail.synthetic else "")
    )
    fig = trajectory_figure({k: (v.pca, list(v.frames)) for k, v in data.items()}, marks, coding=coding)
    if detail.synthetic:
        fig.update_layout(title=fig.layout.title.text + " — SYNTHETIC data")
    st.plotly_chart(fig, key="traj_pca")
    st.caption(
        "Each run's PCA is fitted on its own features (encoders differ), so each has its own panel: "
        "compare shapes, not positions."
    )
    figure_downloads(fig, f"trajectory_clip{clip_id}", key="traj_pca")
    series = {
        k: (v.scores, list(v.frames), list(v.score_labels)) for k, v in data.items() if v.scores is not None
    }
    if series:
        fig2 = scores_figure(series, marks, coding=coding)
        st.plotly_chart(fig2, key="traj_scores")
        figure_downloads(fig2, f"scores_clip{clip_id}", key="traj_scores")
    st.caption("Frames: " + ", ".join(f"{k}: {len(v.frames)}" for k, v in data.items()))
