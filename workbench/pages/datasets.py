"""Datasets page: what the catalog holds; create the synthetic corpus or ingest a folder (as jobs)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict

import pandas as pd
import streamlit as st

from engine import api
from engine.errors import GlimpseError
from workbench import identity, state
from workbench.components.downloads import table_download
from workbench.components.formats import compact_count
from workbench.components.jobs import job_monitor

JOB_KEY = "datasets_job"  # the synth/ingest job this page started (its live status shows here)


def _label_text(labels: Mapping[str, int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(labels.items(), key=lambda kv: str(kv[0])))


def render() -> None:
    st.title("Datasets")
    try:
        summaries = api.datasets()
    except GlimpseError as error:
        state.show_error(error)
        return
    if not summaries:
        st.info("The catalog is empty. Create the synthetic corpus or ingest a dataset below.")
    else:
        for ds in summaries:
            cols = st.columns([3, 1, 1, 1, 1, 4])
            badges = [f"**{ds.name}**"]
            if ds.synthetic:
                badges.append(":orange-badge[SYNTHETIC]")
            if ds.missing:  # gone from the source; kept with their annotations and predictions
                badges.append(f":red-badge[{ds.missing} MISSING]")
            cols[0].markdown(" ".join(badges))
            # compact counts: a narrow tile cuts "14400" to "14…"; the exact count is in the tooltip
            for col, (name, count) in zip(
                cols[1:4],
                (("clips", ds.clips), ("subjects", ds.subjects), ("frames", ds.frames)),
                strict=True,
            ):
                shown = compact_count(count)
                col.metric(name, shown, help=None if shown == str(count) else f"{count:,} {name}")
            cols[4].metric("fps", "–" if ds.fps is None else f"{ds.fps:g}")
            cols[5].caption(f"{ds.format} · {ds.purpose}")
            cols[5].caption(f"labels: {_label_text(ds.labels)}")
        table = pd.DataFrame([asdict(ds) for ds in summaries])
        table["labels"] = table["labels"].map(_label_text)
        table["synthetic"] = table["synthetic"].map(lambda s: "SYNTHETIC" if s else "")
        st.dataframe(table, hide_index=True, key="datasets_table")
        table_download(table, "datasets", key="datasets")

    st.divider()
    left, right = st.columns(2)
    with left:
        st.subheader("Synthetic corpus")
        st.caption("Generated deterministically from a seed in the CASME II / CK+ layouts, then ingested.")
        size = st.radio("size", ["tiny", "default"], horizontal=True, key="synth_size")
        seed = st.number_input("seed", value=0, step=1, key="synth_seed")
        if st.button("Create synthetic corpus", key="synth_go"):
            _enqueue("synth", lambda viewer: api.submit_synth(viewer, size == "tiny", int(seed)))
    with right:
        st.subheader("Ingest a dataset folder")
        roots = ", ".join(api.data_roots())
        st.caption(
            f"A folder on the server under its data roots ({roots}); a relative path starts at the first."
            " Originals are never modified."
        )
        path = st.text_input("folder path", key="ingest_path")
        fmt = st.selectbox("format", api.dataset_formats(), key="ingest_format")
        name = st.text_input("dataset name (optional)", key="ingest_name")
        if st.button("Ingest", key="ingest_go"):
            if not path.strip():
                st.error("type the dataset folder path first")
            else:
                params = {"root": path.strip(), "format": fmt, "name": name.strip() or None}
                _enqueue("ingest", lambda viewer: api.enqueue_job(viewer, "ingest", params))
    if st.session_state.get(JOB_KEY) is not None:
        job_monitor(int(st.session_state[JOB_KEY]), key="datasets", show_label="Show the new dataset")


def _enqueue(kind: str, submit: Callable[[api.Actor], int]) -> None:
    """Queue a job as the signed-in person (``submit`` returns its id) and watch it below."""
    try:
        job_id = submit(identity.viewer())
    except GlimpseError as error:
        state.show_error(error)
        return
    state.put(state.JOB, job_id)
    st.session_state[JOB_KEY] = job_id
    st.success(f"{kind} job #{job_id} queued")
