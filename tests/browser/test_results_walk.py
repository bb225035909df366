"""What a researcher sees after training, in a real Chromium against a real worker: /datasets has its own
address and whole counts; an ablation's progress is live and says which run, variant and seed; the
finished job links to Compare, which gives one verdict per comparison; a job started in another browser
shows its log and settings from a click on the job list; Results opens on a finished run; the Spotting
page follows the job it started to its end without a reload. Screenshots go to $GLIMPSE_SCREENSHOTS
(`GLIMPSE_SCREENSHOTS=docs/screenshots` refreshes the docs' ones)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select
from test_walk import _load_by_path, click_row, nav, settle, shot  # type: ignore[import-not-found]

from db.schema import Job, Run
from db.session import session_scope

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]
WATCH_PROGRESS = """() => { window.__progressTexts = [];
  const seen = () => document.querySelectorAll('p').forEach(p => {
    const list = window.__progressTexts, text = p.textContent;
    if (/^\\d+% — /.test(text) && list[list.length - 1] !== text) list.push(text); });
  const options = {subtree: true, childList: true, characterData: true};
  new MutationObserver(seen).observe(document.body, options); }"""

METRIC = '[data-testid="stMetricValue"]'
TRUNCATED = f"""() => [...document.querySelectorAll('{METRIC}, {METRIC} div')]
    .filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.textContent)"""  # cut values ("14…")


def test_results_walk(workbench, browser_page, monkeypatch) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    expect.set_options(timeout=60_000)
    page = browser_page
    # 1. /datasets is an address of its own (it was "Page not found"), counts are not cut to "14…"
    page.goto(f"{workbench.url}/datasets")
    expect(page.get_by_role("heading", name="Datasets", level=1)).to_be_visible()
    settle(page)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    assert page.evaluate(TRUNCATED) == []
    shot(page, "datasets")

    # 2. an ablation (4 variants × 2 seeds): its progress is live and names run, variant and seed
    nav(page, "Train")
    page.get_by_text("tiny preset (seconds, for smoke tests)").click()
    settle(page)
    page.get_by_text("ablation (variants × seeds)").click()
    page.get_by_role("textbox", name="seeds").fill("0 1")
    page.evaluate(WATCH_PROGRESS)  # every progress text the page paints, from now on (no reload below)
    page.get_by_role("button", name="Launch").click()
    expect(page.get_by_text(re.compile(r"ablation job #\d+ queued"))).to_be_visible()
    expect(page.get_by_text("Status: succeeded")).to_be_visible(timeout=600_000)
    expect(page.get_by_text("100% — finished")).to_be_visible()
    shown = page.evaluate("() => window.__progressTexts")
    # live: the queued state, then the end, painted by the same page; what ran between (a few seconds on
    # an idle machine, so maybe unseen) names its run, variant and seed
    assert len(shown) >= 2 and shown[-1] == "100% — finished", shown  # it changed on screen by itself
    per_run = [t for t in shown if "— running" in t and " seed " in t]  # a run's messages
    assert all(re.search(r"— running: run \d/8 · (fir|er|mixt|full) seed [01]\b", t) for t in per_run), shown
    shot(page, "train")

    # 3. the finished job links to Compare, which opens on its ablation with one verdict per comparison
    page.get_by_role("link", name=re.compile("Compare the variants of ablation")).click()
    expect(page.get_by_role("heading", name="Compare", level=1)).to_be_visible()
    settle(page)
    for variant in ("FIR", "ER", "MIXT"):
        expect(page.get_by_text(re.compile(f"FULL vs {variant}: [+-]0\\.\\d{{3}} UF1, "))).to_be_visible()
    expect(
        page.get_by_text(re.compile("Holm-corrected over the \\d+ paired t-tests? shown")).first
    ).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"Chance levels: a uniform random guess scores UF1 0\.\d{3}"))
    ).to_be_visible()
    shot(page, "compare")

    # 4. another browser (a new session): a click on the job list shows that job's log and settings
    context = page.context.browser.new_context(viewport={"width": 1400, "height": 1700})
    other = context.new_page()
    try:
        other.goto(f"{workbench.url}/train")
        expect(other.get_by_role("heading", name="Train", level=1)).to_be_visible()
        settle(other)
        expect(other.get_by_text("Status:")).to_have_count(0)  # nothing watched yet in this session
        with session_scope(workbench.db_url) as s:
            job_id = s.scalars(select(Job.id).where(Job.kind == "ablation")).one()
        click_row(other, 0, 0)  # the newest job: the ablation
        expect(other.get_by_role("heading", name=f"Job #{job_id}")).to_be_visible()
        expect(other.get_by_text("Status: succeeded")).to_be_visible()
        other.get_by_text("settings of this job").click()
        settings = other.locator('[data-testid="stJson"]').first
        expect(settings).to_contain_text("me_datasets")
        expect(settings).to_contain_text("synthetic-ckplus")  # the macro dataset (lists are folded)
    finally:
        context.close()

    # 5. Results opens on a finished recognition run, named by what it is
    nav(page, "Results")
    with session_scope(workbench.db_url) as s:
        newest = s.scalars(
            select(Run).where(Run.kind == "loso", Run.status == "succeeded").order_by(Run.created_at.desc())
        ).first()
        newest_id, newest_variant = newest.id, newest.variant
    picker = page.get_by_role("combobox", name="run")
    expect(picker).to_match_aria_snapshot(
        f'- combobox "run": /{newest_variant.upper()} · .* · labels source · seed [01] · .* · succeeded · '
        f"SYNTHETIC · {newest_id}/"
    )
    expect(page.get_by_role("heading", name=re.compile(f"Run {newest_id}"))).to_be_visible()
    shot(page, "results")

    # 6. trajectories of a clip: one panel per run
    nav(page, "Trajectories")
    expect(page.get_by_text("so each has its own panel").first).to_be_visible()
    shot(page, "trajectories")

    # 7. Spotting follows the job it started to its end, without a reload, then shows the run
    monkeypatch.setenv("GLIMPSE_HOME", str(workbench.home))
    spot = _load_by_path(Path(__file__).resolve().parents[1] / "spotting" / "spotting_catalog.py")
    with session_scope(workbench.db_url) as s:
        spot.build_long_dataset(s, workbench.home / "datasets" / "toy-long")
    nav(page, "Spotting")
    expect(page.get_by_text("No spotting run yet")).to_be_visible()
    page.get_by_text("Start a spotting run").click()
    page.get_by_role("button", name="Start spotting").click()
    expect(page.get_by_text(re.compile(r"job #\d+ queued: spot toy-long"))).to_be_visible()
    expect(page.get_by_text("Status: succeeded")).to_be_visible(timeout=300_000)  # live, no reload
    page.get_by_role("button", name="Show the new spotting run").click()
    expect(page.get_by_text("Per video")).to_be_visible()  # the page reran and shows the new run
    shot(page, "spotting")
