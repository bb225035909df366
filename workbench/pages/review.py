"""Review page: clips ranked by how much their annotators disagree (label, onset–offset IoU, apex
distance; worst first), every annotator's track on one timeline, and adjudication into a ``consensus``
coding (adopt one annotator's coding, or merge them) that records its adjudicator and when — made from
the coders only unless the release's coding (``source``) is asked for — and the coders' FACS-grade
agreement table (``workbench.components.agreement``)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine import api
from engine.errors import GlimpseError
from workbench import identity, state
from workbench.components.agreement import agreement_section
from workbench.components.player import render_player
from workbench.pages.annotate import annotator_field
from workbench.pages.links import annotate_link

DECIDED = "review_decided"


def _table() -> pd.DataFrame:
    ranked = api.disagreements(api.full_codings(identity.viewer()))
    names = api.clip_names([d.clip_id for d in ranked])
    return pd.DataFrame(
        [
            {
                "clip_id": d.clip_id,
                "clip": names.get(d.clip_id, str(d.clip_id)),
                "annotators": ", ".join(d.annotators),
                "labels": " / ".join(d.labels),
                "label differs": "yes" if d.label_disagrees else "",
                "worst IoU": d.min_iou,
                "worst apex distance": d.max_apex_distance,
                "consensus": "✓" if d.has_consensus else "",
            }
            for d in ranked
        ],
        columns=[
            "clip_id", "clip", "annotators", "labels", "label differs", "worst IoU", "worst apex distance",
            "consensus",
        ],
    )  # fmt: skip


def _decide(actor: api.Actor, clip_id: int, decision: api.Consensus) -> None:
    api.save_consensus(actor, clip_id, decision)
    state.put(DECIDED, f"consensus of clip {clip_id} saved: {decision.provenance}")
    st.rerun()  # the ranking and the tracks show the new consensus


def _needs(actor: api.Actor | None) -> api.Actor:
    if actor is None:
        raise GlimpseError("type your name first", hint="the consensus records who decided")
    return actor


def render() -> None:
    st.title("Review")
    st.caption(
        "Clips coded by two or more annotators, worst disagreement first: different labels, then the "
        "lowest onset–offset IoU between two annotators, then the largest apex distance."
    )
    actor = annotator_field()
    reviewer = actor.name if actor else ""
    decided = st.session_state.pop(DECIDED, None)
    if decided:
        st.success(decided)
    try:
        table = _table()
    except GlimpseError as error:
        state.show_error(error)
        return
    if table.empty:
        st.info("No clip has two or more annotators yet. Code clips on the Annotate page.")
        return
    event = st.dataframe(
        table,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="review_table",
        column_config={"worst IoU": st.column_config.NumberColumn(format="%.2f")},
    )
    rows = event.selection.rows if event and hasattr(event, "selection") else []
    clip_id = int(table.iloc[rows[0] if rows else 0]["clip_id"])
    st.divider()
    annotate_link(clip_id)
    render_player(clip_id, key="review")
    codings = api.full_codings(identity.viewer(), clip_id=clip_id)
    coders = [c for c in codings if c.annotator != api.CONSENSUS]
    st.dataframe(
        pd.DataFrame([c.__dict__ for c in codings]).drop(columns=["clip_id"]),
        hide_index=True,
        key="review_codings",
    )
    st.subheader("Adjudicate")
    if not reviewer:
        st.caption("Type your name in **Annotator**: the consensus records its adjudicator.")
    include_source = st.checkbox(
        "include the release's coding (source)",
        value=False,
        key="review_include_source",
        help="off: the consensus is made from the coders' codings only, never from the release's own",
    )
    offered = [c for c in coders if include_source or c.annotator != api.SOURCE_ANNOTATOR]
    cols = st.columns(len(offered) + 1)
    try:
        for col, coding in zip(cols, offered, strict=False):
            if col.button(f"Adopt {coding.annotator}", key=f"review_adopt_{clip_id}_{coding.annotator}"):
                _decide(_needs(actor), clip_id, api.adopt(coding, reviewer, include_source=include_source))
        if cols[-1].button("Merge (median marks)", key=f"review_merge_{clip_id}", type="primary"):
            _decide(_needs(actor), clip_id, api.merge(coders, reviewer, include_source=include_source))
    except GlimpseError as error:
        state.show_error(error)
    st.subheader("Agreement")
    agreement_section(key="review_agr")
