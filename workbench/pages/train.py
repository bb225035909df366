"""Train page: a form for a stage or an ablation (laptop defaults), launched as a job; live progress of
the job it launched or of any job clicked in the job list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from engine import api
from engine.errors import GlimpseError
from workbench import identity, state
from workbench.components.jobs import job_monitor, jobs_table


def _names(text: str) -> list[str]:
    return [d.strip() for d in text.split(",") if d.strip()]


def _fields(prefix: str, defaults: Mapping[str, Any]) -> dict[str, Any]:
    """One input per scalar setting of a config dict (bools → checkbox, numbers → number input)."""
    out: dict[str, Any] = {}
    cols = st.columns(4)
    for i, (name, value) in enumerate(defaults.items()):
        col, key = cols[i % 4], f"train_{prefix}_{name}"
        if isinstance(value, bool):
            out[name] = col.checkbox(name, value=value, key=key)
        elif isinstance(value, int):
            out[name] = int(col.number_input(name, value=value, step=1, key=key))
        elif isinstance(value, float):
            out[name] = float(col.number_input(name, value=value, format="%g", key=key))
        elif isinstance(value, str):
            out[name] = col.text_input(name, value=value, key=key)
        else:
            out[name] = value
    return out


def build_settings(
    variants: list[str],
    seeds: str,
    datasets: str,
    tiny: bool,
    encoder: dict[str, Any],
    sequence: dict[str, Any],
    protocol: str = "loso",
    train_datasets: str = "",
    test_datasets: str = "",
    labels: list[str] | None = None,
) -> dict[str, Any]:
    """The form's settings as AblationConfig fields; the engine builds and checks the request."""
    base = api.training_defaults(tiny=tiny).ablation
    settings = {k: v for k, v in base.items() if k not in ("encoder", "sequence")}
    settings["encoder"], settings["sequence"] = encoder, sequence
    try:
        settings["seeds"] = [int(s) for s in seeds.replace(",", " ").split()] or [0]
    except ValueError as error:
        raise GlimpseError(f"seeds must be integers, got {seeds!r}", hint="e.g. 0 1 2") from error
    settings["me_datasets"] = _names(datasets)
    settings["protocol"] = protocol
    if protocol == "cross_dataset":
        settings["train_datasets"], settings["test_datasets"] = _names(train_datasets), _names(test_datasets)
    settings["variants"] = variants
    settings["labels"] = labels or ["source"]
    return settings


def render() -> None:
    st.title("Train")
    tiny = st.toggle("tiny preset (seconds, for smoke tests)", value=False, key="train_tiny")
    defaults = api.training_defaults(tiny=tiny)
    preset = "tiny" if tiny else "std"  # widget keys per preset, so switching it shows that preset's values
    ablation = defaults.ablation
    with st.form("train_form"):
        kind = st.radio(
            "launch",
            ["train", "ablation"],
            horizontal=True,
            key="train_kind",
            format_func=lambda k: {"train": "one stage → LOSO", "ablation": "ablation (variants × seeds)"}[k],
        )
        c = st.columns(3)
        names = [v.name for v in api.variants()]
        encoders = [v.name for v in api.variants() if v.trains_encoder]
        stage = c[0].selectbox("stage (one-stage run)", names, index=names.index("full"), key="train_stage")
        variants = c[1].multiselect("variants (ablation)", names, default=encoders, key="train_variants")
        seeds = c[2].text_input(
            "seeds", value=" ".join(map(str, ablation.get("seeds", [0]))), key="train_seeds"
        )
        datasets = st.text_input(
            "ME datasets (comma separated)",
            value=", ".join(ablation.get("me_datasets", [])),
            key="train_datasets",
        )
        p = st.columns(3)
        protocols = api.protocols()
        protocol = p[0].selectbox(
            "evaluation protocol", list(protocols), format_func=protocols.__getitem__, key="train_protocol"
        )
        train_datasets = p[1].text_input("train datasets (cross-dataset only)", key="train_train_datasets")
        test_datasets = p[2].text_input("test datasets (cross-dataset only)", key="train_test_datasets")
        sources = api.label_sources()
        labels = st.multiselect(
            "label sources (the coding to learn from; one for a one-stage run, a factor for an ablation)",
            sources,
            default=["source"],
            key="train_labels",
            help=" · ".join(f"{k}: {v}" for k, v in api.LABEL_SOURCE_KINDS.items()),
        )
        with st.expander("encoder stage settings (FIR / ER / MIXT / FULL)"):
            encoder = _fields(f"{preset}_enc", defaults.encoder)
        with st.expander("sequence (stage 3) settings"):
            sequence = _fields(f"{preset}_seq", defaults.sequence)
        submitted = st.form_submit_button("Launch")
    if submitted:
        try:
            settings = build_settings(
                variants, seeds, datasets, tiny, encoder, sequence,
                protocol, train_datasets, test_datasets, labels,
            )  # fmt: skip
            if kind == "train":
                first = settings["seeds"][0]
                job_id = api.submit_training(identity.viewer(), kind, settings, variant=stage, seed=first)
            else:
                job_id = api.submit_training(identity.viewer(), kind, settings)
            state.put(state.JOB, job_id)
            st.success(f"{kind} job #{job_id} queued")
        except GlimpseError as error:
            state.show_error(error)
    job_id = state.get(state.JOB)
    if job_id is not None:
        job_monitor(int(job_id), key="train")
    jobs_table("train_jobs")
