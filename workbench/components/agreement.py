"""The agreement panel (Review): FACS-grade agreement of the chosen coders, per pair and overall — AU
ratio, per-AU Cohen's κ, onset/apex/offset within ±N frames, Krippendorff's α of labels — each with
its clip count, "n/a — k clips" below a statistic's minimum, and the table as CSV."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine import api
from engine.errors import GlimpseError
from workbench import state

SHOWN_COLUMNS = ["coders", "statistic", "shown", "clips", "min_clips", "note"]


def _table(report: api.FacsAgreement) -> pd.DataFrame:
    return pd.DataFrame([r.__dict__ for r in report.rows], columns=SHOWN_COLUMNS).rename(
        columns={"shown": "value", "min_clips": "needs"}
    )


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
        report = api.agreement(coders, tolerance_frames=None if tolerance is None else int(tolerance))
    except GlimpseError as error:
        state.show_error(error)
        return
    st.dataframe(_table(report), hide_index=True, key=f"{key}_table")
    minimums = ", ".join(f"{name} {n}" for name, n in api.MIN_CLIPS.items())
    st.caption(
        f"Timing tolerance {report.tolerance}. A statistic over fewer clips than it needs reads "
        f"“n/a — k clips” (fewest clips: {minimums}). AU ratio = 2·Σ|AU₁ ∩ AU₂| / Σ(|AU₁| + |AU₂|) over "
        "clips where either coder marked an AU; the release's coding (source) is a coder here, the "
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
