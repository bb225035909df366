"""The clip timeline: frame axis with onset/apex/offset markers, the current frame, and an optional curve."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

MARK_COLORS = {"onset": "#2ca02c", "apex": "#d62728", "offset": "#1f77b4"}


def timeline_figure(
    first: int,
    last: int,
    marks: dict[str, int | None],
    current: int | None = None,
    curve: tuple[Sequence[int], Sequence[float]] | None = None,
    curve_name: str = "difference",
    height: int = 180,
) -> go.Figure:
    """A thin plot over frame numbers; markers are vertical lines labelled with their frame number."""
    fig = go.Figure()
    if curve is not None:
        fig.add_trace(go.Scatter(x=list(curve[0]), y=list(curve[1]), mode="lines", name=curve_name))
    else:
        fig.add_trace(
            go.Scatter(x=[first, last], y=[0, 0], mode="lines", line={"color": "#bbb"}, showlegend=False)
        )
    for name, frame in marks.items():
        if frame is not None:
            fig.add_vline(
                x=frame,
                line_color=MARK_COLORS.get(name, "#444"),
                line_width=2,
                annotation_text=f"{name} {frame}",
                annotation_position="top",
            )
    if current is not None:
        fig.add_vline(x=current, line_color="#000", line_dash="dot", annotation_text=f"frame {current}")
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 30},
        xaxis_title="frame number",
        xaxis_range=[first - 0.5, last + 0.5],
        yaxis_visible=curve is not None,
    )
    return fig
