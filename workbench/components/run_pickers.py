"""Run pickers that name what a run is (variant, datasets, label source, seeds, date, status) and open on
the newest *finished* run of the kind the page shows; ``?run=`` / ``?ablation=`` in the URL pick one."""

from __future__ import annotations

import streamlit as st

from engine import api
from workbench.components.run_links import ABLATION_PARAM, RUN_PARAM


def _initial(key: str, param: str, ids: list[str], fallback: str | None) -> None:
    """Before the widget exists: the URL's pick if it names one of ``ids``, else ``fallback``."""
    wanted = st.query_params.get(param)
    if wanted in ids and st.session_state.get(f"{key}_from_url") != wanted:
        st.session_state[key] = wanted  # a link from a job (or elsewhere) opens this run
        st.session_state[f"{key}_from_url"] = wanted
    elif fallback is not None and (key not in st.session_state or st.session_state[key] not in [None, *ids]):
        st.session_state[key] = fallback  # first visit, or the picked run is gone


def pick_run(key: str = "results_run", current: str | None = None) -> api.RunChoice | None:
    """A recognition run or ablation; opens on ``current`` (the run another page showed) if it is one,
    else on the newest finished recognition (LOSO) run."""
    choices = api.run_choices()
    if not choices:
        return None
    by_id = {c.id: c for c in choices}
    newest = api.newest_finished(choices, "loso") or api.newest_finished(choices) or choices[0]
    _initial(key, RUN_PARAM, list(by_id), current if current in by_id else newest.id)
    run_id = st.selectbox("run", list(by_id), format_func=lambda r: by_id[r].label, key=key)
    return by_id[run_id]


def pick_ablation(key: str = "cmp_ablation") -> str | None:
    """An ablation (or none); opens on the newest finished one."""
    choices = api.run_choices(("ablation",))
    by_id = {c.id: c for c in choices}
    newest = api.newest_finished(choices)
    _initial(key, ABLATION_PARAM, list(by_id), newest.id if newest else None)
    return st.selectbox(
        "ablation",
        [None, *by_id],
        format_func=lambda i: "(none)" if i is None else by_id[i].label,
        key=key,
    )


def pick_runs(ablation: str | None, key: str = "cmp_runs") -> list[str]:
    """Finished runs to add beside the ablation; baselines outside it join by default."""
    choices = [c for c in api.run_choices(("loso",)) if c.finished]
    by_id = {c.id: c for c in choices}
    baseline_names = {v.name for v in api.variants() if not v.trains_encoder}
    baselines = [
        c.id for c in choices if c.parent != ablation and set(c.variants) & baseline_names
    ]  # runs of other ablations or stand-alone ones
    return st.multiselect(
        "add runs", list(by_id), default=baselines, key=key, format_func=lambda r: by_id[r].label
    )
