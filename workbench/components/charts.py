"""Plotly figures of the results: confusion matrix (clickable cells), metric bars, trajectories."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

MARK_COLORS = {"onset": "#2e7d32", "apex": "#c62828", "offset": "#1565c0"}  # as in the player


def synthetic_title(title: str, synthetic: bool) -> str:
    return f"{title} — SYNTHETIC data" if synthetic else title


def confusion_figure(matrix: np.ndarray, labels: Sequence[str], title: str = "confusion matrix") -> go.Figure:
    """Rows = truth, columns = predicted; a marker on every cell makes a click select (truth, predicted)."""
    labels = list(labels)
    fig = go.Figure(
        go.Heatmap(
            z=np.asarray(matrix).tolist(),
            x=labels,
            y=labels,
            colorscale="Blues",
            showscale=False,
            hoverinfo="skip",
        )
    )
    xs, ys, text, colors = [], [], [], []
    top = max(1, int(np.max(matrix))) if np.size(matrix) else 1
    for i, truth in enumerate(labels):
        for j, predicted in enumerate(labels):
            xs.append(predicted)
            ys.append(truth)
            text.append(str(int(matrix[i, j])))
            colors.append("white" if matrix[i, j] > top / 2 else "#222")
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers+text",
            text=text,
            textfont={"size": 18, "color": colors},
            marker={"size": 60, "symbol": "square", "opacity": 0.01, "color": "#000"},
            customdata=list(zip(ys, xs, strict=True)),
            hovertemplate="truth %{y}<br>predicted %{x}<br>%{text} clips<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title="predicted",
        yaxis_title="truth",
        height=420,
        # fixed ranges: the (invisible) click markers must not pad the axes and squeeze the cells
        yaxis={"range": [len(labels) - 0.5, -0.5], "categoryorder": "array", "categoryarray": labels},
        xaxis={"range": [-0.5, len(labels) - 0.5], "categoryorder": "array", "categoryarray": labels},
        clickmode="event+select",
    )
    return fig


def bar_figure(frame: pd.DataFrame, x: str, y: str, title: str, color: str | None = None) -> go.Figure:
    fig = go.Figure()
    if color and color in frame:
        for name, part in frame.groupby(color, sort=False):
            fig.add_trace(go.Bar(x=part[x], y=part[y], name=str(name)))
    else:
        fig.add_trace(go.Bar(x=frame[x], y=frame[y], text=frame[y].round(3), textposition="outside"))
    fig.update_layout(title=title, height=360, barmode="group", yaxis_range=[0, 1.05])
    return fig


def spread_figure(summary: pd.DataFrame, title: str) -> go.Figure:
    """Mean metric per variant with error bars = 95% CI over seeds."""
    fig = go.Figure()
    for metric, part in summary.groupby("metric", sort=False):
        fig.add_trace(
            go.Bar(
                x=part.variant,
                y=part["mean"],
                name=str(metric),
                error_y={
                    "type": "data",
                    "symmetric": False,
                    # no interval (one seed) → NaN → no error bar is drawn for that bar
                    "array": pd.to_numeric(part.ci_high) - part["mean"],
                    "arrayminus": part["mean"] - pd.to_numeric(part.ci_low),
                },
                hovertemplate="%{x}: %{y:.3f} (n=%{customdata})<extra></extra>",
                customdata=part.n,
            )
        )
    fig.update_layout(title=title, barmode="group", height=380, yaxis_range=[0, 1.05])
    return fig


def _grid(n: int, columns: int) -> tuple[int, int]:
    cols = max(1, min(columns, n))
    return math.ceil(n / cols), cols


def _nearest(frames: list[int], frame: int) -> int:
    """Index of the frame nearest ``frame`` (a resampled sequence may skip the coded frame)."""
    return min(range(len(frames)), key=lambda i: abs(frames[i] - frame))


def trajectory_figure(
    paths: dict[str, tuple[np.ndarray, list[int]]],
    marks: dict[str, int | None],
    columns: int = 2,
    coding: str = "source",
) -> go.Figure:
    """Small multiples: one PCA path of per-frame features per run (each run's PCA is its own, so the
    paths share no axes), colour = frame number on one scale for all, the chosen coding's
    onset/apex/offset as symbols."""
    names = list(paths)
    rows, cols = _grid(len(names), columns)
    fig = make_subplots(
        rows=rows, cols=cols, subplot_titles=names, horizontal_spacing=0.08, vertical_spacing=0.14
    )
    all_frames = [f for _, frames in paths.values() for f in frames]
    low, high = (min(all_frames), max(all_frames)) if all_frames else (0, 1)
    symbols = {"onset": "circle-open", "apex": "star", "offset": "square-open"}
    for i, name in enumerate(names):
        xy, frames = paths[name]
        row, col = i // cols + 1, i % cols + 1
        fig.add_trace(
            go.Scatter(
                x=xy[:, 0],
                y=xy[:, 1],
                mode="lines+markers",
                name=name,
                showlegend=False,
                marker={
                    "color": frames,
                    "colorscale": "Viridis",
                    "cmin": low,
                    "cmax": high,
                    "size": 7,
                    "showscale": i == 0,
                    "colorbar": {"title": "frame", "len": 0.6},
                },
                line={"width": 1, "color": "#999"},
                text=[f"frame {f}" for f in frames],
                hovertemplate="%{text}<extra>" + name + "</extra>",
            ),
            row=row,
            col=col,
        )
        for mark, frame in marks.items():
            if frame is None or not frames or not frames[0] <= frame <= frames[-1]:
                continue
            k = _nearest(frames, frame)
            fig.add_trace(
                go.Scatter(
                    x=[xy[k, 0]],
                    y=[xy[k, 1]],
                    mode="markers",
                    name=f"{mark} ({coding})",
                    legendgroup=mark,
                    showlegend=i == 0,
                    marker={"symbol": symbols[mark], "size": 16, "color": MARK_COLORS[mark]},
                    hovertemplate=f"{mark} {frame} ({coding})<extra>{name}</extra>",
                ),
                row=row,
                col=col,
            )
    fig.update_xaxes(title_text="PC1", title_standoff=2)
    fig.update_yaxes(title_text="PC2", title_standoff=2)
    fig.update_layout(
        title="encoder features, PCA path over time (one panel per run: compare shapes, not positions)",
        height=300 * rows + 150,
        margin={"l": 10, "r": 10, "t": 80, "b": 60},
        # below the panels: above them it would cover the panels' titles
        legend={"orientation": "h", "y": -0.12 / rows, "yanchor": "top", "x": 0.0},
    )
    return fig


CLASS_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b")  # by class position


def scores_figure(
    series: dict[str, tuple[np.ndarray, list[int], list[str]]],
    marks: dict[str, int | None],
    coding: str = "source",
) -> go.Figure:
    """Per-frame class scores over time, one panel per run (stacked, shared frame axis): the legend
    names each class once, whatever the number of runs, so it fits beside any number of panels."""
    names = list(series)
    fig = make_subplots(
        rows=max(1, len(names)), cols=1, shared_xaxes=True, subplot_titles=names, vertical_spacing=0.08
    )
    shown: set[str] = set()
    for i, name in enumerate(names):
        scores, frames, labels = series[name]
        for c, label in enumerate(labels):
            fig.add_trace(
                go.Scatter(
                    x=frames,
                    y=scores[:, c],
                    mode="lines",
                    name=label,
                    legendgroup=label,
                    showlegend=label not in shown,
                    line={"color": CLASS_COLORS[c % len(CLASS_COLORS)]},
                    hovertemplate=f"{label} %{{y:.3f}} at frame %{{x}}<extra>{name}</extra>",
                ),
                row=i + 1,
                col=1,
            )
            shown.add(label)
    for mark, frame in marks.items():
        if frame is None:
            continue
        fig.add_vline(x=frame, line_color=MARK_COLORS[mark], line_dash="dot", row="all", col=1)
        fig.add_trace(  # the mark's legend entry (a vline has none)
            go.Scatter(
                x=[None], y=[None], mode="lines", name=f"{mark} {frame} ({coding})",
                line={"color": MARK_COLORS[mark], "dash": "dot"},
            ),
            row=1,
            col=1,
        )  # fmt: skip
    fig.update_yaxes(title_text="score", range=[0, 1.05])
    fig.update_xaxes(title_text="frame number", row=max(1, len(names)), col=1)
    fig.update_layout(
        title="per-frame class scores",
        height=180 * max(1, len(names)) + 170,
        margin={"l": 10, "r": 10, "t": 60, "b": 60},
        legend={"orientation": "h", "y": -0.12 / max(1, len(names)), "yanchor": "top", "x": 0.0},
    )
    return fig
