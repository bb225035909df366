"""Plotly figures of the results: confusion matrix (clickable cells), metric bars, trajectories."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

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


def trajectory_figure(
    paths: dict[str, tuple[np.ndarray, list[int]]], marks: dict[str, int | None]
) -> go.Figure:
    """PCA paths of per-frame features, one per run; colour = frame number, onset/apex/offset as symbols."""
    fig = go.Figure()
    symbols = {"onset": "circle-open", "apex": "star", "offset": "square-open"}
    for i, (name, (xy, frames)) in enumerate(paths.items()):
        fig.add_trace(
            go.Scatter(
                x=xy[:, 0],
                y=xy[:, 1],
                mode="lines+markers",
                name=name,
                marker={
                    "color": frames,
                    "colorscale": "Viridis",
                    "size": 7,
                    "showscale": i == 0,
                    "colorbar": {"title": "frame"},
                },
                line={"width": 1},
                text=[f"frame {f}" for f in frames],
                hovertemplate="%{text}<extra>" + name + "</extra>",
            )
        )
        for mark, frame in marks.items():
            if frame is not None and frames and frames[0] <= frame <= frames[-1]:
                # resampled sequences may skip the coded frame: mark the nearest one
                k = min(range(len(frames)), key=lambda i, f=frame: abs(frames[i] - f))
                fig.add_trace(
                    go.Scatter(
                        x=[xy[k, 0]],
                        y=[xy[k, 1]],
                        mode="markers",
                        showlegend=i == 0,
                        name=mark,
                        marker={"symbol": symbols[mark], "size": 16, "color": MARK_COLORS[mark]},
                    )
                )
    fig.update_layout(
        title="encoder features, PCA path over time",
        xaxis_title="PC1",
        yaxis_title="PC2",
        height=480,
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def scores_figure(
    series: dict[str, tuple[np.ndarray, list[int], list[str]]], marks: dict[str, int | None]
) -> go.Figure:
    """Per-frame class scores over time for each run; dashes distinguish runs."""
    fig = go.Figure()
    dashes = ["solid", "dash", "dot", "dashdot"]
    for i, (name, (scores, frames, labels)) in enumerate(series.items()):
        for c, label in enumerate(labels):
            fig.add_trace(
                go.Scatter(
                    x=frames,
                    y=scores[:, c],
                    mode="lines",
                    name=f"{name} · {label}",
                    line={"dash": dashes[i % len(dashes)]},
                )
            )
    for mark, frame in marks.items():
        if frame is not None:
            fig.add_vline(x=frame, line_color=MARK_COLORS[mark], annotation_text=mark)
    fig.update_layout(
        title="per-frame class scores", xaxis_title="frame number", yaxis_title="score", height=380
    )
    return fig
