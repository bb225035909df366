"""Results and Compare open on the right run, name runs by what they are, and Compare gives a verdict:
one sentence per comparison, Holm-corrected p-values, formatted chance levels, pooled confusion."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from app_support import page, texts  # type: ignore[import-not-found]
from scipy import stats

from db.schema import Artifact, Metric, Prediction, Run
from db.session import session_scope
from engine import api
from engine.evaluate.comparison import VariantOutcome, compare_outcomes, write_comparison

LATER = datetime(2030, 1, 1)  # after the seeded runs (created now)


def _newer_runs_that_show_nothing(url: str) -> None:
    """The seeded FULL run and ablation made the newest finished ones; then a cancelled recognition run, a
    spotting run and a cancelled ablation, newer still."""
    with session_scope(url) as s:
        s.get(Run, "run-full-0").created_at = LATER - timedelta(2)
        s.get(Run, "abl-1").created_at = LATER - timedelta(1)
        s.add(
            Run(id="run-cancelled", kind="loso", variant="er", seed=0, status="cancelled", created_at=LATER)
        )
        s.add(Run(id="run-spot", kind="spotting", status="succeeded", created_at=LATER + timedelta(1)))
        s.add(Run(id="abl-cancelled", kind="ablation", status="cancelled", created_at=LATER + timedelta(2)))


def _chart_z(at, key: str) -> list:  # noqa: ANN001
    chart = next(c for c in at.get("plotly_chart") if key in c.proto.id)
    return json.loads(chart.proto.spec)["data"][0]["z"]


def test_results_opens_on_the_newest_finished_recognition_run(seeded) -> None:
    _newer_runs_that_show_nothing(seeded.url)
    at = page("results").run()
    assert not at.exception
    picker = at.selectbox(key="results_run")
    assert picker.value == seeded.run_id  # not the newer cancelled run, not the spotting run
    assert "run-spot" not in picker.options and all("run-spot" not in o for o in picker.options)
    label = next(o for o in picker.options if o.endswith(seeded.run_id))
    assert label.startswith("FULL · synthetic-casme2 · labels source · seed 0 · ")
    assert label.endswith(" · succeeded · SYNTHETIC · run-full-0")
    ablation = next(o for o in picker.options if o.endswith("abl-1"))
    assert ablation.startswith("ablation · synthetic-casme2 · labels source")  # parent: no config here


def test_an_ablation_on_results_leads_to_compare_and_its_runs(seeded) -> None:
    at = page("results").run()
    at.selectbox(key="results_run").select("abl-1").run()
    assert not at.exception
    links = at.get("page_link")
    assert [(link.proto.page, link.proto.label) for link in links] == [
        ("compare", "Compare the variants of ablation abl-1")
    ]
    assert "Its 8 runs (variant × seed) — open one:" in texts(at)
    at.button(key="child_abl-1-er-1").click().run()
    assert at.selectbox(key="results_run").value == "abl-1-er-1"
    assert [m.value for m in at.metric][:1] == ["0.470"]  # ER seed 1's UF1


def test_results_opens_the_run_a_link_names(seeded) -> None:
    at = page("results")
    at.query_params["run"] = "abl-1-mixt-0"
    at.run()
    assert at.selectbox(key="results_run").value == "abl-1-mixt-0"


def test_compare_opens_on_the_newest_finished_ablation(seeded) -> None:
    _newer_runs_that_show_nothing(seeded.url)
    at = page("compare").run()
    assert not at.exception
    assert at.selectbox(key="cmp_ablation").value == seeded.ablation_id
    assert "Variants: **FIR** · **ER** · **MIXT** · **FULL**" in texts(at)


def _holm(raw: list[float]) -> list[float]:
    """Holm by hand for a handful of p-values: sorted, times (m − rank), running maximum, capped at 1."""
    order = sorted(range(len(raw)), key=raw.__getitem__)
    out, running = [0.0] * len(raw), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(raw) - rank) * raw[i]))
        out[i] = running
    return out


def test_compare_gives_one_verdict_per_comparison_with_holm(seeded) -> None:
    at = page("compare").run()
    assert not at.exception
    # seeded UF1 (seeds 0, 1): FULL .55/.59, FIR .40/.44, ER .45/.47, MIXT .48/.50; UAR = UF1 + .02
    p_er = stats.ttest_rel([0.55, 0.59], [0.45, 0.47]).pvalue
    p_mixt = stats.ttest_rel([0.55, 0.59], [0.48, 0.50]).pvalue
    # the family: by-seed UF1 and UAR of ER and MIXT (FIR's differences are equal: no t; folds: one subject)
    adjusted = _holm([p_er, p_er, p_mixt, p_mixt])
    bullets = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert bullets == [
        "- FULL vs FIR: +0.150 UF1, no t-test (the difference is the same on every seed), 2 seeds — too few "
        "for an interval (needs 3)",
        f"- FULL vs ER: +0.110 UF1, not significant after Holm correction over 4 tests (adjusted p = "
        f"{adjusted[0]:.3f}), 2 seeds — too few for an interval (needs 3)",
        f"- FULL vs MIXT: +0.080 UF1, not significant after Holm correction over 4 tests (adjusted p = "
        f"{adjusted[2]:.3f}), 2 seeds — too few for an interval (needs 3)",
    ]
    assert "P-values Holm-corrected over the 4 paired t-tests shown" in texts(at)
    tests = next(df.value for df in at.dataframe if "p_t_holm" in df.value.columns)
    row = tests.set_index(["comparison", "test"]).loc[("full_vs_er", "by_seed_uf1")]
    assert row.p_t == pytest.approx(p_er) and row.p_t_holm == pytest.approx(adjusted[0])
    summary = at.dataframe[0].value.set_index(["variant", "metric"])
    assert summary.loc[("full", "uf1"), "ci_low"] is None or summary.loc[("full", "uf1"), "ci_low"] != 0.0
    assert "sd, 95% CI and p-values: **n/a — 2 seeds, too few for an interval (needs ≥ 3)**" in texts(at)


def test_compare_reads_chance_levels_as_a_sentence(seeded) -> None:
    outcomes = [
        VariantOutcome(f"abl-2-{v}-{s}", v, s, x, x, x, {"sub01": x})
        for s in (0, 1, 2)
        for v, x in (("fir", 0.4 + s / 100), ("full", 0.5 + s / 50))
    ]
    folder = seeded.home / "runs" / "abl-2"
    folder.mkdir(parents=True)
    chance = {"uniform_uf1": 0.3123456789, "uniform_uar": 1 / 3, "majority_uf1": 0.2, "majority_uar": 1 / 3}
    write_comparison(folder / "comparison.json", compare_outcomes(outcomes, chance))
    with session_scope(seeded.url) as s:
        s.add(Run(id="abl-2", kind="ablation", status="succeeded", created_at=LATER))
        for o in outcomes:
            s.add(Run(id=o.run_id, parent_id="abl-2", kind="loso", variant=o.variant, seed=o.seed,
                      status="succeeded"))  # fmt: skip
            s.add(Metric(run_id=o.run_id, scope="overall", name="uf1", value=o.uf1))
        s.add(Artifact(run_id="abl-2", kind="comparison", path="runs/abl-2/comparison.json"))
    at = page("compare").run()
    assert at.selectbox(key="cmp_ablation").value == "abl-2"
    shown = texts(at)
    assert (
        "Chance levels: a uniform random guess scores UF1 0.312 / UAR 0.333; always predicting the most "
        "frequent class scores UF1 0.200 / UAR 0.333." in shown
    )
    assert "{'uniform" not in shown and "0.3123456789" not in shown
    # three seeds: the verdict has the interval of the difference (FULL − FIR: .10, .11, .12)
    half = stats.t.ppf(0.975, 2) * 0.01 / 3**0.5
    assert f"3 seeds, 95% CI of the difference {0.11 - half:+.3f} to {0.11 + half:+.3f}" in shown


def test_compare_pools_confusion_matrices_over_seeds(seeded) -> None:
    with session_scope(seeded.url) as s:  # seed 1 of FULL also mistakes a clip: negative → surprise
        s.add(Prediction(run_id="abl-1-full-1", clip_id=seeded.clip_ids[1], fold="sub01", truth="negative",
                         predicted="surprise"))  # fmt: skip
    at = page("compare").run()
    assert not at.exception
    # rows = truth (negative, positive, surprise): seed 0 and seed 1 each got positive → positive right
    assert _chart_z(at, "cmp_cm_full") == [[0, 0, 1], [0, 2, 0], [0, 0, 0]]
    at.selectbox(key="cmp_cm_seed").select(1).run()
    assert _chart_z(at, "cmp_cm_full") == [[0, 0, 1], [0, 1, 0], [0, 0, 0]]
    comparison = api.compare(ablation_id=seeded.ablation_id)
    assert comparison.confusions["full"].runs == {0: "abl-1-full-0", 1: "abl-1-full-1"}
    clips = api.pooled_cell_clips(comparison.confusions["full"].runs, "positive", "positive")
    assert clips.seed.tolist() == [0, 1] and clips.clip_id.tolist() == [seeded.clip_ids[0]] * 2
