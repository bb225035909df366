"""Download buttons: every figure as PNG (kaleido, made only when clicked) and HTML, every table as CSV."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import plotly.graph_objects as go
import streamlit as st


def _png_bytes(fig: go.Figure) -> bytes:
    # kaleido drives a local Chromium; point it at the system one (nothing is downloaded)
    if not os.environ.get("BROWSER_PATH"):
        for candidate in ("chromium", "chromium-browser", "google-chrome"):
            if path := shutil.which(candidate):
                os.environ["BROWSER_PATH"] = path
                break
    return fig.to_image(format="png", width=900, height=600, scale=1)


def figure_downloads(fig: go.Figure, name: str, key: str) -> None:
    """PNG (rendered on click) and interactive HTML of a plotly figure."""
    left, right = st.columns(2)
    left.download_button(
        "⬇ PNG",
        data=lambda: _png_bytes(fig),
        file_name=f"{name}.png",
        mime="image/png",
        key=f"png_{key}",
        on_click="ignore",
    )
    right.download_button(
        "⬇ HTML",
        data=lambda: fig.to_html(include_plotlyjs="cdn"),
        file_name=f"{name}.html",
        mime="text/html",
        key=f"html_{key}",
        on_click="ignore",
    )


def table_download(frame: pd.DataFrame, name: str, key: str) -> None:
    """The table as CSV."""
    st.download_button(
        "⬇ CSV",
        data=frame.to_csv(index=False),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"csv_{key}",
        on_click="ignore",
    )
