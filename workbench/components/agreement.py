"""The agreement panel (Annotate and Review): two annotators' Cohen's kappa, timing agreement, and
Krippendorff's alpha over everyone."""

from __future__ import annotations

import streamlit as st

from engine import api
from engine.errors import GlimpseError
from workbench import identity, state


def _fmt(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def agreement_section(key: str = "agr") -> None:
    names = [n for n in api.annotators() if n != api.CONSENSUS]
    if len(names) < 2:
        st.caption("Agreement needs at least two annotators.")
        return
    c = st.columns(2)
    a = c[0].selectbox("annotator A", names, index=0, key=f"{key}_a")
    b = c[1].selectbox("annotator B", names, index=1, key=f"{key}_b")
    try:
        report = api.agreement(identity.viewer(), a, b)
    except GlimpseError as error:
        state.show_error(error)
        return
    m = st.columns(5)
    m[0].metric("Cohen's κ", _fmt(report.cohen_kappa), help=f"A vs B over {report.n_shared} shared clips")
    m[1].metric("raw agreement", _fmt(report.raw_agreement))
    m[2].metric(
        "Krippendorff's α",
        _fmt(report.krippendorff_alpha),
        help=f"labels, all annotators, over {report.n_alpha_clips} clips with ≥ 2 codings",
    )
    m[3].metric("apex distance (frames)", _fmt(report.mean_apex_distance, 1))
    m[4].metric("onset–offset IoU", _fmt(report.mean_interval_iou))
    st.caption(
        f"{report.n_shared} clips coded by both · α over {report.n_alpha_clips} clips with ≥ 2 annotators "
        "(the dataset's own coding counts as one; the consensus does not)"
    )
