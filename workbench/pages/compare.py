"""Compare page: FIR / ER / MIXT / FULL (+ baselines, + picked runs) side by side — a verdict sentence per
comparison first, then the spread over seeds, per-class F1, pooled confusion matrices and the tests.

Each section is its own function taking the ``api.Comparison`` so another factor (e.g. label sources)
can add a section without touching the others. Everything computed comes from ``api.compare``.
"""

from __future__ import annotations

import streamlit as st

from engine import api
from engine.errors import GlimpseError
from workbench import state
from workbench.components.charts import confusion_figure, spread_figure, synthetic_title
from workbench.components.downloads import figure_downloads, table_download
from workbench.components.formats import P_VALUE, SCORE, number_columns
from workbench.components.rescore import render_rescore
from workbench.components.run_pickers import pick_ablation, pick_runs
from workbench.pages.links import cell_clip_links

POOLED = "pooled over seeds"


def render() -> None:
    st.title("Compare")
    try:
        ablation = pick_ablation()
        picked = pick_runs(ablation)
    except GlimpseError as error:
        state.show_error(error)
        return
    if ablation is None and not picked:
        st.info("Pick an ablation or some runs.")
        return
    try:
        result = api.compare(picked, ablation)
    except GlimpseError as error:
        state.show_error(error)
        return
    if result.synthetic:
        st.caption(":orange-badge[SYNTHETIC] comparison on synthetic data")
    audits = _variants_line(result)
    _verdicts(result)
    _summary(result, audits)
    _class_deltas(result)
    _confusions(result)
    _tests(result)
    render_rescore(list(result.runs), key="compare", synthetic=result.synthetic)
    if result.document:
        with st.expander("comparison.json (written when the ablation ended)"):
            st.json(dict(result.document), expanded=False)


def _variants_line(result: api.Comparison) -> set[str]:
    audits = {v.name for v in api.variants() if v.audit}
    st.markdown(
        "Variants: "
        + " · ".join(
            f"**{v.upper()}**" + (f" :red-badge[{api.AUDIT_BADGE}]" if v in audits else "")
            for v in result.variants
        )
    )
    shown = [v for v in result.variants if v in audits]
    if shown:
        st.warning(
            f"{api.AUDIT_BADGE}: {', '.join(v.upper() for v in shown)} picks each fold's epoch by "
            "accuracy on the held-out TEST subject (the selection HTNet and CausalNet use). Shown only to "
            "measure how much that inflates UF1/UAR over the leakage-safe runs beside it — never report it "
            "as a result."
        )
    return audits


def _verdicts(result: api.Comparison) -> None:
    st.subheader("Verdict")
    if not result.verdicts:
        st.caption(f"No verdict: {result.reference.upper()} is not among the compared runs.")
    for verdict in result.verdicts:
        st.markdown(f"- {verdict.sentence}")
    st.caption(result.correction[0].upper() + result.correction[1:] + ".")
    if result.chance:
        st.caption(result.chance.sentence)


def _summary(result: api.Comparison, audits: set[str]) -> None:
    summary = result.summary
    if summary.empty:
        return
    fig = spread_figure(
        summary, synthetic_title("metrics: mean over seeds, 95% CI where ≥ 3 seeds", result.synthetic)
    )
    st.plotly_chart(fig, key="cmp_bars")
    figure_downloads(fig, "compare_metrics", key="cmp_bars")
    if audits & set(summary.variant):
        summary = summary.assign(
            protocol=summary["variant"].map(lambda v: api.AUDIT_BADGE if v in audits else "leakage-safe")
        )
    st.dataframe(
        summary,
        hide_index=True,
        key="cmp_summary",
        column_config=number_columns(["mean", "sd", "ci_low", "ci_high"], SCORE),
    )
    for note in sorted(set(summary.note) - {""}):  # e.g. one seed: mean only; two: no interval
        st.caption(f"sd, 95% CI and p-values: **{note}**")
    table_download(summary, "compare_summary", key="cmp_summary")


def _class_deltas(result: api.Comparison) -> None:
    deltas = result.deltas_vs_reference
    if deltas.empty:
        return
    st.subheader(f"Per-class F1 minus {result.reference.upper()}")
    st.dataframe(deltas.style.format("{:+.3f}"), key="cmp_deltas")
    table_download(deltas.reset_index(), f"compare_deltas_vs_{result.reference}", key="cmp_deltas")


def _confusions(result: api.Comparison) -> None:
    st.subheader("Confusion matrices")
    seeds = sorted({s for c in result.confusions.values() for s in c.by_seed})
    choices: list[str | int] = [POOLED, *seeds]
    shown = st.selectbox(
        "show",
        choices,
        format_func=lambda s: s if s == POOLED else f"seed {s} only",
        key="cmp_cm_seed",
    )
    cols = st.columns(min(3, max(1, len(result.confusions))))
    for i, variant in enumerate(result.variants):
        confusion = result.confusions.get(variant)
        if confusion is None:
            continue
        if shown == POOLED:
            matrix, title = confusion.pooled, f"{variant.upper()} ({POOLED}: {len(confusion.by_seed)})"
        elif isinstance(shown, int) and shown in confusion.by_seed:
            matrix, title = confusion.by_seed[shown], f"{variant.upper()} (seed {shown})"
        else:
            continue
        with cols[i % len(cols)]:
            fig = confusion_figure(matrix, confusion.labels, title)
            fig.update_layout(height=320, margin={"l": 10, "r": 10, "t": 40, "b": 10})
            st.plotly_chart(fig, key=f"cmp_cm_{variant}")
            figure_downloads(fig, f"confusion_{variant}", key=f"cmp_cm_{variant}")
    with st.expander("clips of a confusion cell → Annotate"):
        c = st.columns(3)
        variant = c[0].selectbox("variant", list(result.confusions), key="cmp_cell_variant")
        confusion = result.confusions[variant]
        labels = list(confusion.labels)
        truth = c[1].selectbox("truth", labels, key="cmp_cell_truth")
        predicted = c[2].selectbox("predicted", labels, index=min(1, len(labels) - 1), key="cmp_cell_pred")
        runs = {s: r for s, r in confusion.runs.items() if shown in (POOLED, s)}
        if runs:
            cell_clip_links(api.pooled_cell_clips(runs, truth, predicted))
        else:
            st.caption(f"{variant.upper()} has no run with seed {shown}")


def _tests(result: api.Comparison) -> None:
    st.subheader(f"Paired tests vs {result.reference.upper()}")
    if result.paired.empty:
        st.caption(
            f"Paired tests need {result.reference.upper()} and the variant over at least two shared seeds."
        )
        return
    st.caption("p_t, p_wilcoxon: raw; p_t_holm, p_wilcoxon_holm: corrected (see the verdict above).")
    config = number_columns(["mean_diff", "t", "w"], SCORE) | number_columns(
        ["p_t", "p_t_holm", "p_wilcoxon", "p_wilcoxon_holm"], P_VALUE
    )
    st.dataframe(result.paired, hide_index=True, key="cmp_tests", column_config=config)
    table_download(result.paired, "paired_tests", key="cmp_tests")
