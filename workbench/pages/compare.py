"""Compare page: FIR / ER / MIXT / FULL (+ baselines, + picked runs) side by side, with seed spread."""

from __future__ import annotations

import streamlit as st

from engine import api
from engine.errors import GlimpseError
from engine.variants import AUDIT_BADGE
from workbench import state
from workbench.components.charts import confusion_figure, spread_figure, synthetic_title
from workbench.components.downloads import figure_downloads, table_download
from workbench.components.rescore import render_rescore
from workbench.pages.links import cell_clip_links


def render() -> None:
    st.title("Compare")
    try:
        ablations = api.ablations()
        all_runs = api.runs(limit=500)
    except GlimpseError as error:
        state.show_error(error)
        return
    options = [None, *ablations["id"].tolist()]
    names = {
        r.id: f"{r.id} · {r.name or 'ablation'}{' · SYNTHETIC' if r.synthetic else ''}"
        for r in ablations.itertuples()
    }
    ablation = st.selectbox(
        "ablation",
        options,
        index=1 if len(options) > 1 else 0,  # the newest ablation (runs are listed newest first)
        format_func=lambda i: "(none)" if i is None else names[i],
        key="cmp_ablation",
    )
    # baseline runs of *other* ablations (or stand-alone) join the comparison by default
    outside = all_runs[all_runs.parent.isna() | (all_runs.parent != ablation)]
    baseline_names = [v.name for v in api.variants() if not v.trains_encoder]
    baselines = outside[outside.variant.isin(baseline_names)]["id"].tolist()
    picked = st.multiselect(
        "add runs",
        all_runs["id"].tolist(),
        default=baselines,
        key="cmp_runs",
        format_func=lambda i: (
            f"{i} ({all_runs.set_index('id').loc[i, 'variant'] or all_runs.set_index('id').loc[i, 'kind']})"
        ),
    )
    if ablation is None and not picked:
        st.info("Pick an ablation or some runs.")
        return
    try:
        result = api.compare(picked, ablation)
    except GlimpseError as error:
        state.show_error(error)
        return
    synthetic = result.synthetic
    if synthetic:
        st.caption(":orange-badge[SYNTHETIC] comparison on synthetic data")
    audits = {v.name for v in api.variants() if v.audit}
    st.markdown(
        "Variants: "
        + " · ".join(
            f"**{v.upper()}**" + (f" :red-badge[{AUDIT_BADGE}]" if v in audits else "")
            for v in result.variants
        )
    )
    shown_audits = [v for v in result.variants if v in audits]
    if shown_audits:
        st.warning(
            f"{AUDIT_BADGE}: {', '.join(v.upper() for v in shown_audits)} picks each fold's epoch by "
            "accuracy on the held-out TEST subject (the selection HTNet and CausalNet use). Shown only to "
            "measure how much that inflates UF1/UAR over the leakage-safe runs beside it — never report it "
            "as a result."
        )
    summary = result.summary
    if not summary.empty:
        fig = spread_figure(summary, synthetic_title("metrics, mean with 95% CI over seeds", synthetic))
        st.plotly_chart(fig, key="cmp_bars")
        figure_downloads(fig, "compare_metrics", key="cmp_bars")
        if shown_audits and "variant" in summary:
            summary = summary.assign(
                protocol=summary["variant"].map(lambda v: AUDIT_BADGE if v in audits else "leakage-safe")
            )
        st.dataframe(summary, hide_index=True, key="cmp_summary")
        for note in sorted(set(summary.note) - {""}):  # e.g. one seed: mean only, no CI, no p-value
            st.caption(f"sd, 95% CI and p-values: **{note}** — run at least two seeds to estimate them.")
        table_download(summary, "compare_summary", key="cmp_summary")
    deltas = result.deltas_vs_reference
    if not deltas.empty:
        st.subheader(f"Per-class F1 minus {result.reference.upper()}")
        st.dataframe(deltas.style.format("{:+.3f}"), key="cmp_deltas")
        table_download(deltas.reset_index(), f"compare_deltas_vs_{result.reference}", key="cmp_deltas")
    st.subheader("Confusion matrices")
    by_variant: dict[str, list[str]] = {}
    for run_id, variant in result.runs.items():
        by_variant.setdefault(variant, []).append(run_id)
    cols = st.columns(min(3, max(1, len(by_variant))))
    for i, variant in enumerate(result.variants):
        detail = api.run_detail(by_variant[variant][0])
        with cols[i % len(cols)]:
            fig = confusion_figure(
                detail.confusion, detail.labels, f"{variant.upper()} (seed {detail.run.seed})"
            )
            fig.update_layout(height=320, margin={"l": 10, "r": 10, "t": 40, "b": 10})
            st.plotly_chart(fig, key=f"cmp_cm_{variant}")
            figure_downloads(fig, f"confusion_{variant}", key=f"cmp_cm_{variant}")
    with st.expander("clips of a confusion cell → Annotate"):
        c = st.columns(3)
        variant = c[0].selectbox("variant", result.variants, key="cmp_cell_variant")
        cell_run = by_variant[variant][0]
        labels = list(api.run_detail(cell_run).labels)
        truth = c[1].selectbox("truth", labels, key="cmp_cell_truth")
        predicted = c[2].selectbox("predicted", labels, index=min(1, len(labels) - 1), key="cmp_cell_pred")
        cell_clip_links(api.cell_clips(cell_run, truth, predicted))
    st.subheader(f"Paired tests vs {result.reference.upper()}")
    if result.paired.empty:
        st.caption(
            f"Paired tests need {result.reference.upper()} and the variant over at least two shared seeds."
        )
    else:
        st.dataframe(result.paired, hide_index=True, key="cmp_tests")
        table_download(result.paired, "paired_tests", key="cmp_tests")
    if result.chance:
        st.caption(f"chance levels: {dict(result.chance)}")
    render_rescore(list(result.runs), key="compare", synthetic=synthetic)
    if result.document:
        with st.expander("comparison.json (written when the ablation ended)"):
            st.json(dict(result.document), expanded=False)
