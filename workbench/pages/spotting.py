"""Spotting page: a long video's motion curve with truth and predictions (TP / FP / FN), per-video and
overall MEGC figures, a jump to the player at an interval, accepting a spot as an interval, downloads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from engine import api
from engine.errors import GlimpseError
from workbench import identity, state
from workbench.components.charts import synthetic_title
from workbench.components.downloads import figure_downloads, table_download
from workbench.components.jobs import job_monitor
from workbench.pages.links import annotate_link, annotate_url

RESULT_COLORS = {"TP": "#2ca02c", "FP": "#d62728", "FN": "#ff7f0e"}
ITEM_KEY = "spot_item"
JOB_KEY = "spot_job"  # the spotting job this page started (its live status shows here)


def stacked_lanes(items: Sequence[api.TimelineItem]) -> list[str]:
    """The row of each bar: its lane (truth | prediction), and a second, third … row of that lane for a
    bar that overlaps one already placed — overlapping false positives stay separate bars, never one."""
    ends: dict[str, list[int]] = {}  # lane → last offset drawn in each of its rows
    rows = []
    for it in items:
        lane_rows = ends.setdefault(it.lane, [])
        row = next((r for r, end in enumerate(lane_rows) if end < it.onset), len(lane_rows))
        if row == len(lane_rows):
            lane_rows.append(it.offset)
        else:
            lane_rows[row] = it.offset
        rows.append(it.lane if row == 0 else f"{it.lane} {row + 1}")
    return rows


def _bottom_up(rows: list[str]) -> list[str]:
    """Rows from the bottom: the prediction rows (extra ones lowest), then truth, then extra truth rows."""

    def number(row: str) -> int:
        return int(row.rsplit(" ", 1)[1]) if " " in row else 1

    predictions = sorted({r for r in rows if r.startswith("prediction")} | {"prediction"}, key=number)
    truths = sorted({r for r in rows if r.startswith("truth")} | {"truth"}, key=number)
    return predictions[::-1] + truths


def timeline_figure(timeline: api.VideoTimeline, title: str) -> go.Figure:
    """Curve on top with the method's thresholds; below, truth and prediction lanes of bars coloured by
    outcome (clickable), overlapping bars on rows of their own, hover naming onset–offset as the table."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.65, 0.35], vertical_spacing=0.06)
    fig.add_trace(
        go.Scatter(
            x=timeline.frames.tolist(),
            y=timeline.curve.tolist(),
            mode="lines",
            name="motion curve",
            line={"color": "#555", "width": 1},
        ),
        row=1,
        col=1,
    )
    for kind, value in timeline.thresholds.items():
        fig.add_hline(
            y=value,
            line={"color": "#d62728" if kind == "micro" else "#9467bd", "dash": "dash", "width": 1},
            annotation_text=f"{kind} threshold {value:.3g}",
            annotation_position="top left",
            row=1,
            col=1,
        )
    rows = stacked_lanes(timeline.items)
    for result, color in RESULT_COLORS.items():
        items = [(i, it) for i, it in enumerate(timeline.items) if it.result == result]
        if not items:
            continue
        fig.add_trace(
            go.Bar(
                x=[it.offset - it.onset + 1 for _, it in items],
                base=[it.onset for _, it in items],
                y=[rows[i] for i, _ in items],
                orientation="h",
                marker_color=color,
                marker_line={"color": "white", "width": 1},
                name=result,
                customdata=[[i, it.onset, it.offset] for i, it in items],
                hovertemplate="%{y} %{customdata[1]}–%{customdata[2]}<extra>" + result + "</extra>",
            ),
            row=2,
            col=1,
        )
    order = _bottom_up(rows)
    fig.update_layout(
        title=title,
        height=380 + 18 * max(0, len(order) - 2),
        barmode="overlay",
        margin={"l": 90, "r": 10, "t": 50, "b": 30},  # room for the lane names
        legend={"orientation": "h", "y": -0.15},
    )
    fig.update_xaxes(title_text="frame number", row=2, col=1)
    fig.update_yaxes(categoryorder="array", categoryarray=order, row=2, col=1)
    return fig


def _item_label(timeline: api.VideoTimeline, index: int) -> str:
    it = timeline.items[index]
    seconds = f"{(it.offset - it.onset + 1) / timeline.fps:.2f} s" if timeline.fps else ""
    return f"{it.result} · {it.lane} {it.onset}–{it.offset} ({it.type or 'untyped'}, {seconds})"


def _items_table(timeline: api.VideoTimeline) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "lane": it.lane,
                "result": it.result,
                "onset": it.onset,
                "apex": it.apex,
                "offset": it.offset,
                "type": it.type,
                "iou": round(it.iou, 3),
                "score": it.score,
                "player": annotate_url(timeline.clip_id, it.apex or it.onset),
            }
            for it in timeline.items
        ]
    )


def _launch() -> None:
    datasets = api.long_video_datasets()
    if not datasets:
        st.info(
            "No dataset with long videos yet: ingest CAS(ME)², SAMM-LV or CAS(ME)³, "
            "or generate the synthetic corpus."
        )
        return
    methods = api.spot_methods()
    c = st.columns([2, 2, 1])
    dataset = c[0].selectbox("dataset", datasets, key="spot_dataset")
    method = c[1].selectbox(
        "method", list(methods), format_func=lambda m: f"{m} — {methods[m]}", key="spot_method"
    )
    if c[2].button("Start spotting", key="spot_go"):
        job_id = api.submit_spotting(identity.viewer(), dataset, method)
        state.put(state.JOB, job_id)
        st.session_state[JOB_KEY] = job_id
        st.success(f"job #{job_id} queued: spot {dataset} with {method}")


def _metrics(detail: api.SpotRunDetail) -> None:
    m = detail.metrics
    cols = st.columns(6)
    for col, (label, value) in zip(
        cols,
        [
            ("F1", m["f1"]),
            ("precision", m["precision"]),
            ("recall", m["recall"]),
            ("TP", m["tp"]),
            ("FP", m["fp"]),
            ("FN", m["fn"]),
        ],
        strict=True,
    ):
        col.metric(label, f"{value:.3f}" if isinstance(value, float) else str(value))
    if "matching_rule" in m:
        st.caption(f"spotting figures: {m['matching_rule']}")
    if "str" in m:
        s = m["str"]
        st.caption(
            f"spot-then-recognise with run {m.get('config', {}).get('recognition_run', '')}: "
            f"**STRS {s['strs']:.3f}** = spotting F1 {s['spotting_f1']:.3f} × analysis F1 "
            f"{s['analysis_f1']:.3f} ({int(s['n_analysed'])} spotted TPs) · beside it UF1 {s['uf1']:.3f}, "
            f"UAR {s['uar']:.3f}"
        )
    by_type = pd.DataFrame([{"type": k, **v} for k, v in m.get("by_type", {}).items()])
    by_video = pd.DataFrame([{"video": k, **v} for k, v in m.get("by_video", {}).items()])
    left, right = st.columns(2)
    with left:
        st.subheader("Per type")
        st.dataframe(by_type, hide_index=True, key="spot_by_type")
        table_download(by_type, "spotting_by_type", key="spot_by_type")
    with right:
        st.subheader("Per video")
        st.dataframe(by_video, hide_index=True, key="spot_by_video")
        table_download(by_video, "spotting_by_video", key="spot_by_video")


def _downloads(detail: api.SpotRunDetail) -> None:
    names = {
        "intervals_csv": "predicted intervals (CSV)",
        "truth_csv": "truth (CSV)",
        "megc_log": "MEGC spotting log",
        "metrics": "metrics (JSON)",
    }
    cols = st.columns(len(names))
    for col, (kind, label) in zip(cols, names.items(), strict=True):
        path = detail.files.get(kind)
        if path is not None and path.is_file():
            col.download_button(
                f"⬇ {label}",
                data=path.read_bytes(),
                file_name=path.name,
                key=f"spot_dl_{kind}",
                on_click="ignore",
            )


def _accept(run_id: str, timeline: api.VideoTimeline, item: api.TimelineItem) -> None:
    identity.local_name_field()  # no name box when signed in: the interval is the signed-in person's
    if st.button("Accept as an interval", key="spot_accept", disabled=item.lane != "prediction"):
        try:
            actor = identity.writer()
            if actor is None:
                raise GlimpseError("type your name first", hint="the interval is saved under it")
            interval = api.SpotInterval(
                timeline.video, item.onset, item.offset, item.type, score=item.score, apex=item.apex
            )
            new_id = api.accept_spot(actor, run_id, timeline.clip_id, interval)
        except GlimpseError as error:
            state.show_error(error)
            return
        annotator = actor.name
        st.success(f"interval #{new_id} saved for {annotator} ({item.onset}–{item.offset}, {item.type})")
    if st.button("Make clips of the accepted intervals (to code, then train on)", key="spot_clips"):
        try:
            made = api.spotted_clips(identity.viewer(), run_id)
        except GlimpseError as error:
            state.show_error(error)
            return
        st.success(
            f"{made.added} clip(s) added to {made.dataset} ({made.matched} hit a coded interval); "
            "code them on Annotate, then train with a label source (Train page)"
        )


def render() -> None:
    st.title("Spotting")
    try:
        with st.expander("Start a spotting run", expanded=False):
            _launch()
        if st.session_state.get(JOB_KEY) is not None:
            job_monitor(int(st.session_state[JOB_KEY]), key="spot", show_label="Show the new spotting run")
        runs = api.spotting_runs()
        if not runs:
            st.info("No spotting run yet: start one above, or `glimpse spot DATASET --method fd`.")
            return
        by_id = {r.id: r for r in runs}
        run_id = st.selectbox(
            "spotting run",
            list(by_id),
            format_func=lambda r: (
                f"{by_id[r].method} · {by_id[r].dataset} · {r}"
                + (" · SYNTHETIC" if by_id[r].synthetic else "")
            ),
            key="spot_run",
        )
        detail = api.spot_run_detail(run_id)
    except GlimpseError as error:
        state.show_error(error)
        return
    synthetic = detail.info.synthetic
    st.caption(
        f"{detail.info.method} on {detail.info.dataset} · TP when IoU ≥ 0.5 with a not-yet-matched truth, "
        "counts pooled over videos (MEGC)" + (" · :orange-badge[SYNTHETIC]" if synthetic else "")
    )
    _metrics(detail)
    _downloads(detail)
    if not detail.videos:
        return
    st.subheader("Timeline")
    videos = sorted(detail.videos, key=lambda c: detail.videos[c])
    clip_id = st.selectbox("video", videos, format_func=lambda c: detail.videos[c], key="spot_video")
    try:
        timeline = api.video_timeline(run_id, clip_id)
    except GlimpseError as error:
        state.show_error(error)
        return
    fig = timeline_figure(timeline, synthetic_title(f"{timeline.video} ({timeline.subject})", synthetic))
    event: Any = st.plotly_chart(fig, key="spot_timeline", on_select="rerun", selection_mode="points")
    selection: Any = event.get("selection") if event else None  # a click on a bar selects its interval
    points: list[Any] = list(selection.get("points", [])) if selection else []
    if points and points[0].get("customdata") is not None:
        st.session_state[ITEM_KEY] = int(points[0]["customdata"][0])
    figure_downloads(fig, f"spotting_{timeline.video}", key="spot_tl")
    table = _items_table(timeline)
    st.dataframe(
        table,
        hide_index=True,
        key="spot_items_table",
        column_config={"player": st.column_config.LinkColumn("player", display_text="open")},
    )
    table_download(table, f"spotting_{timeline.video}_intervals", key="spot_items")
    if not timeline.items:
        return
    if st.session_state.get(ITEM_KEY, 0) >= len(timeline.items):
        st.session_state[ITEM_KEY] = 0
    index = st.selectbox(
        "interval",
        list(range(len(timeline.items))),
        format_func=lambda i: _item_label(timeline, i),
        key=ITEM_KEY,
    )
    item = timeline.items[index]
    frame = item.apex or item.onset
    annotate_link(
        timeline.clip_id,
        label=f"Open the player at frame {frame}",
        frame=frame,
        icon=":material/play_circle:",
    )
    _accept(run_id, timeline, item)
