"""One run (or several) against several codings side by side: the runs' stored predictions re-scored
against each label source picked (``api.rescore_table``), so a reader sees how much of the metric is the
coder. Shared by the Results and Compare pages."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from engine import api
from engine.errors import GlimpseError
from workbench import identity, state
from workbench.components.downloads import table_download


def render_rescore(run_ids: Sequence[str], key: str, synthetic: bool = False) -> None:
    """An expander: pick codings, see every run scored against each (only the clips a coding labels)."""
    with st.expander("Score against other codings (label sources)"):
        sources = api.label_sources()
        picked = st.multiselect("codings", sources, default=sources[:2], key=f"rescore_{key}")
        if not picked or not run_ids:
            return
        try:
            table = api.rescore_table(identity.viewer(), list(run_ids), picked)
        except GlimpseError as error:
            state.show_error(error)
            return
        st.caption(
            "Each run's stored predictions scored against each coding, on the clips that coding labels "
            "(the run itself is unchanged)." + (" SYNTHETIC data." if synthetic else "")
        )
        st.dataframe(table, hide_index=True, key=f"rescore_table_{key}")
        table_download(table, f"rescore_{key}", key=f"rescore_csv_{key}")
