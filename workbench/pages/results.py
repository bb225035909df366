"""Results page: runs table; a run's confusion matrix (click a cell → its clips → player), metrics, bars.

It opens on the newest finished recognition run (``?run=`` picks another); an ablation picked here
lists its runs and leads to Compare.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine import api
from engine.errors import GlimpseError
from workbench import state
from workbench.components.charts import bar_figure, confusion_figure, synthetic_title
from workbench.components.downloads import figure_downloads, table_download
from workbench.components.formats import SCORE, number_columns
from workbench.components.player import render_player
from workbench.components.rescore import render_rescore
from workbench.components.run_links import compare_link
from workbench.components.run_pickers import pick_run
from workbench.pages.links import annotate_link


def _fmt(value: float | None) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:.3f}"


def render() -> None:
    st.title("Results")
    try:
        table = api.runs()
    except GlimpseError as error:
        state.show_error(error)
        return
    if table.empty:
        st.info("No runs yet. Launch one on the Train page.")
        return
    event = st.dataframe(
        table,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="runs_table",
        column_config=number_columns(["uf1", "uar"], SCORE) | number_columns(["wall_time_s"], "%.1f"),
    )
    table_download(table, "runs", key="runs")
    rows = event.selection.rows if event and hasattr(event, "selection") else []
    picked = str(table.iloc[rows[0]]["id"]) if rows else None
    if picked != st.session_state.get("results_table_pick"):  # a new row picked: show that run
        st.session_state["results_table_pick"] = picked
        if picked is not None:
            st.session_state["results_run"] = picked
    try:
        choice = pick_run("results_run", current=state.get(state.RUN))
    except GlimpseError as error:
        state.show_error(error)
        return
    if choice is None:
        st.info("No recognition run yet (spotting runs are on the Spotting page).")
        return
    run_id = choice.id
    state.put(state.RUN, run_id)
    if choice.kind == "ablation":
        _ablation(choice)
        return
    if not choice.finished:
        st.warning(f"Run {run_id} is **{choice.status}**: its figures are missing or partial.")
    try:
        detail = api.run_detail(run_id)
    except GlimpseError as error:
        state.show_error(error)
        return
    info = detail.run
    synthetic = info.synthetic
    st.subheader(
        f"Run {info.id} · {info.kind} {info.variant} · labels {info.labels}"
        + (" · SYNTHETIC" if synthetic else "")
    )
    if synthetic:
        st.caption(":orange-badge[SYNTHETIC] results on synthetic data, not on a real dataset")
    overall = detail.overall
    m = st.columns(4)
    m[0].metric("UF1", _fmt(overall.get("uf1")))
    m[1].metric("UAR", _fmt(overall.get("uar")))
    m[2].metric("accuracy", _fmt(overall.get("accuracy")))
    m[3].metric("predictions", detail.n_predictions)
    if detail.n_predictions:
        render_rescore([run_id], key=f"results_{run_id}", synthetic=synthetic)

    left, right = st.columns([3, 2])
    with left:
        fig = confusion_figure(
            detail.confusion, detail.labels, synthetic_title("confusion matrix (rows = truth)", synthetic)
        )
        selection = st.plotly_chart(fig, on_select="rerun", selection_mode="points", key=f"cm_{run_id}")
        figure_downloads(fig, f"confusion_{run_id}", key=f"cm_{run_id}")
    cell = _selected_cell(selection)
    with right:
        metrics = detail.metrics
        per_class = metrics[metrics.scope.str.startswith("class:")].copy()
        if len(per_class):
            per_class["class"] = per_class.scope.str.removeprefix("class:")
            st.dataframe(
                per_class.pivot_table(index="class", columns="name", values="value"), key="per_class"
            )
        st.caption("Or pick a cell:")
        c = st.columns(2)
        truth = c[0].selectbox("truth", detail.labels, key="cell_truth")
        predicted = c[1].selectbox("predicted", detail.labels, key="cell_pred")
        if st.button("List clips of this cell", key="cell_go"):
            cell = (truth, predicted)
    if cell is not None:
        state.put(f"cell_{run_id}", cell)
    cell = state.get(f"cell_{run_id}")
    if cell:
        _cell_clips(run_id, *cell)
    _bars(detail.metrics, run_id, synthetic)
    table_download(detail.metrics, f"metrics_{run_id}", key=f"metrics_{run_id}")


def _ablation(choice: api.RunChoice) -> None:
    """An ablation holds no predictions of its own: its runs, and the way to Compare."""
    st.subheader(f"Ablation {choice.id}" + (" · SYNTHETIC" if choice.synthetic else ""))
    compare_link(choice.id)
    children = api.children_of(choice.id)
    if not children:
        st.caption(f"No run of this ablation yet ({choice.status}).")
        return
    st.caption(f"Its {len(children)} runs (variant × seed) — open one:")
    cols = st.columns(min(4, len(children)))
    for i, child in enumerate(children):
        cols[i % len(cols)].button(
            f"{'/'.join(v.upper() for v in child.variants)} seed {','.join(map(str, child.seeds))}"
            f" · {child.status}",
            key=f"child_{child.id}",
            on_click=_open_run,
            args=(child.id,),
        )


def _open_run(run_id: str) -> None:
    st.session_state["results_run"] = run_id


def _selected_cell(selection: object) -> tuple[str, str] | None:
    try:
        points = selection.selection.points  # type: ignore[attr-defined]
    except AttributeError:
        return None
    for point in points or []:
        if point.get("customdata"):
            truth, predicted = point["customdata"][:2]
            return str(truth), str(predicted)
        if "x" in point and "y" in point:
            return str(point["y"]), str(point["x"])
    return None


def _cell_clips(run_id: str, truth: str, predicted: str) -> None:
    clips = api.cell_clips(run_id, truth, predicted)
    st.subheader(f"Clips with truth **{truth}**, predicted **{predicted}**: {len(clips)}")
    event = st.dataframe(
        clips,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key=f"cell_{run_id}_{truth}_{predicted}",
    )
    table_download(clips, f"cell_{run_id}_{truth}_{predicted}", key=f"cellcsv_{truth}_{predicted}")
    rows = event.selection.rows if event and hasattr(event, "selection") else []
    if rows:
        clip_id = int(clips.iloc[rows[0]]["clip_id"])
        state.put(state.CLIP, clip_id)
        annotate_link(clip_id)
        render_player(clip_id, key="results")


def _bars(metrics: pd.DataFrame, run_id: str, synthetic: bool) -> None:
    for prefix, title in (("fold:", "per fold (held-out subject)"), ("dataset:", "per dataset")):
        part = metrics[
            metrics.scope.str.startswith(prefix) & metrics.name.isin(["uf1", "uar", "accuracy"])
        ].copy()
        if part.empty:
            continue
        part["group"] = part.scope.str.removeprefix(prefix)
        fig = bar_figure(part, "group", "value", synthetic_title(title, synthetic), color="name")
        st.plotly_chart(fig, key=f"bars_{prefix}{run_id}")
        figure_downloads(fig, f"{prefix.rstrip(':')}_{run_id}", key=f"bars_{prefix}{run_id}")
