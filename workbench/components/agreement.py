"""The agreement panel (Review): FACS-grade agreement of the chosen coders, per pair and overall — AU
ratio, per-AU Cohen's κ, onset/apex/offset within ±N frames, Krippendorff's α of labels — each with
its clip count, "n/a — k clips" below a statistic's minimum, and the table as CSV."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine import api
from engine.errors import GlimpseError
from workbench import identity, state


def _statistic_order(statistic: str) -> tuple[int, int]:
    """AU ratio, then κ by AU number, then onset/apex/offset, then α."""
    if statistic.startswith("Cohen's κ AU"):
        return (1, int(statistic.rsplit("AU", 1)[1]))
    timing = ("onset", "apex", "offset")
    first = statistic.split()[0]
    return (2, timing.index(first)) if first in timing else (3 if "α" in statistic else 0, 0)


def _table(report: api.FacsAgreement) -> pd.DataFrame:
    """One row per statistic, one column per coder pair (then all coders): "value (clips)", or the
    reason it is not shown ("n/a — 1 clip", "undefined — …"); empty where a pair never saw that AU."""
    cells: dict[str, dict[str, str]] = {}
    for row in report.rows:
        shown = f"{row.shown} ({row.clips})" if row.value is not None else row.shown
        cells.setdefault(row.statistic, {})[row.coders] = shown
    columns = list(dict.fromkeys(row.coders for row in report.rows))
    order = sorted(cells, key=_statistic_order)
    table = pd.DataFrame.from_dict(cells, orient="index", columns=columns).loc[order].fillna("")
    return table.rename_axis("statistic").reset_index()


def agreement_section(key: str = "agr") -> None:
    names = [n for n in api.annotators() if n != api.CONSENSUS]
    if len(names) < 2:
        st.caption("Agreement needs at least two annotators.")
        return
    c = st.columns([3, 1])
    coders = c[0].multiselect("coders", names, default=names, key=f"{key}_coders")
    tolerance = c[1].number_input(
        "tolerance ±N frames",
        min_value=0,
        value=None,
        step=1,
        key=f"{key}_tolerance",
        help="onset/apex/offset agree when they differ by at most N frames; empty: ±25 ms at each "
        "clip's frame rate (5 frames at 200 fps, 3 at 100 fps, at least 1)",
    )
    try:
        report = api.agreement(
            identity.viewer(), coders, tolerance_frames=None if tolerance is None else int(tolerance)
        )
    except GlimpseError as error:
        state.show_error(error)
        return
    table = _table(report)
    st.dataframe(table, hide_index=True, key=f"{key}_table", height=min(36 * (len(table) + 1) + 3, 800))
    minimums = ", ".join(f"{name} {n}" for name, n in api.MIN_CLIPS.items())
    st.caption(
        f"Each cell: the value (the clips behind it). Timing tolerance {report.tolerance}. A statistic "
        f"over fewer clips than it needs reads “n/a — k clips” (fewest clips: {minimums}); the CSV has "
        "one row per cell, with its note. AU ratio = 2·Σ|AU₁ ∩ AU₂| / Σ(|AU₁| + |AU₂|) over clips where "
        "either coder marked an AU; the release's coding (source) is a coder here, the "
        "consensus is not."
    )
    st.download_button(
        "⬇ agreement CSV",
        data=api.agreement_csv(report),
        file_name="agreement.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
    )
