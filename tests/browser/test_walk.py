"""The user's walk in a real Chromium: datasets → clip player → annotation → tiny training job →
confusion matrix cell → its clips. Screenshots of every page go to $GLIMPSE_SCREENSHOTS (default: a temp
folder; `GLIMPSE_SCREENSHOTS=docs/screenshots .venv/bin/pytest tests/browser` refreshes the docs' ones)."""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import tempfile
from pathlib import Path

import pytest
from browser_support import settle
from sqlalchemy import select

from db.schema import Annotation, Clip, Frame, Job, Prediction, Run
from db.session import session_scope
from engine.spotting.config import SpotConfig
from engine.spotting.run import run_spotting

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]
PLAYER = '[data-testid="glimpse-player"]'
SHOTS = Path(os.environ.get("GLIMPSE_SCREENSHOTS", Path(tempfile.gettempdir()) / "glimpse-screenshots"))


def shot(page, name: str) -> None:  # noqa: ANN001
    SHOTS.mkdir(parents=True, exist_ok=True)
    settle(page)
    page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]')?.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    assert (SHOTS / f"{name}.png").stat().st_size > 10_000  # a rendered page, not a blank one


def nav(page, title: str) -> None:  # noqa: ANN001
    """Client-side navigation through the sidebar keeps the Streamlit session (and its state)."""
    from playwright.sync_api import expect

    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    settle(page)


def click_row(page, table_index: int, row: int) -> None:  # noqa: ANN001
    """Select a row of an st.dataframe (a canvas grid) by clicking its row-marker cell."""
    grid = page.locator('[data-testid="stDataFrame"]').nth(table_index)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 12, box["y"] + 35 * (row + 1) + 17)


def test_walk(workbench, browser_page, monkeypatch) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)  # the first run of a page imports the engine (slow on 2 shared cores)
    page = browser_page
    page.goto(workbench.url)
    # 1. the synthetic dataset is visible and marked
    expect(page.get_by_text("synthetic-casme2").first).to_be_visible()
    expect(page.get_by_text("SYNTHETIC").first).to_be_visible()
    shot(page, "datasets")

    # 2. open a clip (row 0 of the table) in the browser player and step / play with the keyboard
    nav(page, "Clips")
    expect(page.get_by_text(re.compile(r"\d+ clips match"))).to_be_visible()
    click_row(page, 0, 0)
    with session_scope(workbench.db_url) as s:
        first = s.scalars(select(Clip).order_by(Clip.id)).first()
        clip_id, onset, offset = first.id, first.onset, first.offset
        numbers = list(s.scalars(select(Frame.number).where(Frame.clip_id == clip_id).order_by(Frame.index)))
    player = page.locator(PLAYER)
    frame = player.get_by_test_id("glimpse-frame")
    expect(frame).to_have_text(f"Frame {numbers[0]}")  # opens at the clip's first frame
    expect(page.get_by_text("backend: ground_truth").first).to_be_visible()
    frame.click()
    page.keyboard.press("ArrowRight")
    expect(frame).to_have_text(f"Frame {numbers[1]}")
    page.keyboard.press("ArrowLeft")
    expect(frame).to_have_text(f"Frame {numbers[0]}")
    page.keyboard.press("[")  # 1/2 × native
    page.keyboard.press(" ")  # play: the browser advances frame by frame on its own
    page.wait_for_function(f"() => window.__glimpsePlayer.frame >= {numbers[3]}")
    page.keyboard.press(" ")
    settle(page)
    shot(page, "clips")

    # 3. annotate the same clip as "alice" with the keys: I at the onset, A two frames later, O, Enter
    page.get_by_role("link", name=re.compile("Annotate this clip")).click()
    expect(page.get_by_role("heading", name="Annotate", level=1)).to_be_visible()
    settle(page)
    annotator = page.get_by_label("Annotator")
    expect(annotator).to_be_visible()
    annotator.fill("alice")
    annotator.press("Enter")
    expect(page.get_by_text("annotating as alice")).to_be_visible()
    expect(player.get_by_text("marking as alice")).to_be_visible()
    frame.click()
    player.get_by_role("button", name="→ onset").click()
    expect(frame).to_have_text(f"Frame {onset}")
    page.keyboard.press("i")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("a")
    player.get_by_role("button", name="→ offset").click()
    page.keyboard.press("o")
    page.keyboard.press("Enter")
    expect(player.get_by_test_id("glimpse-message")).to_have_text(
        re.compile(f"saved alice's annotation of clip {clip_id}")
    )
    with session_scope(workbench.db_url) as s:
        rows = s.scalars(select(Annotation).where(Annotation.annotator == "alice")).all()
        assert [(r.clip_id, r.onset, r.apex, r.offset) for r in rows] == [(clip_id, onset, onset + 2, offset)]
    page.get_by_role("button", name="Suggest apex").click()
    expect(page.get_by_text(re.compile(r"Suggested apex: frame \d+"))).to_be_visible()
    page.get_by_role("button", name="Use suggested apex").click()
    expect(player.get_by_test_id("glimpse-message")).to_have_text(re.compile(r"apex \d+ suggested"))
    settle(page)
    shot(page, "annotate")

    # 3b. the clip now has two codings (alice, source): it is on the Review page, with both tracks
    nav(page, "Review")
    expect(page.get_by_role("button", name="Adopt alice")).to_be_visible()
    expect(page.locator(PLAYER)).to_be_visible()
    shot(page, "review")

    # 4. launch a tiny training job (one stage → LOSO) and watch it finish
    nav(page, "Train")
    page.get_by_text("tiny preset (seconds, for smoke tests)").click()
    page.get_by_text("one stage → LOSO").click()
    page.get_by_role("button", name="Launch").click()
    expect(page.get_by_text(re.compile(r"train job #\d+ queued"))).to_be_visible()
    expect(page.get_by_text("Status: succeeded")).to_be_visible(timeout=240_000)
    shot(page, "train")
    with session_scope(workbench.db_url) as s:
        job = s.scalars(select(Job).where(Job.kind == "train")).one()
        run = s.scalars(select(Run).where(Run.job_id == job.id)).one()
        assert job.status == "succeeded" and run.is_synthetic
        run_id = run.id
        preds = s.execute(
            select(Prediction.truth, Prediction.predicted).where(Prediction.run_id == run.id)
        ).all()
    assert preds

    # queue a tiny ablation (1 seed × FIR/ER/MIXT/FULL) for the Compare page; it runs while we look around
    page.get_by_text("ablation (variants × seeds)").click()
    page.get_by_role("button", name="Launch").click()
    expect(page.get_by_text(re.compile(r"ablation job #\d+ queued"))).to_be_visible()

    # 5. the run's confusion matrix: click the fullest cell, see its clips
    nav(page, "Results")
    page.get_by_label("run", exact=True).click()
    page.get_by_role("option", name=run_id).click()
    expect(page.get_by_role("heading", name=re.compile(f"Run {run_id}"))).to_be_visible()
    settle(page)
    labels = ["negative", "positive", "surprise"]
    counts = {(t, p): sum(1 for x in preds if x == (t, p)) for t in labels for p in labels}
    (truth, predicted), n = max(counts.items(), key=lambda kv: kv[1])
    chart = page.locator(".js-plotly-plot").first
    chart.scroll_into_view_if_needed()
    area = chart.locator(".nsewdrag").first.bounding_box()
    assert area is not None
    x = area["x"] + (labels.index(predicted) + 0.5) * area["width"] / 3
    y = area["y"] + (labels.index(truth) + 0.5) * area["height"] / 3
    page.mouse.click(x, y)
    expect(page.get_by_text(f"Clips with truth {truth}, predicted {predicted}: {n}")).to_be_visible()
    shot(page, "results")
    # open one of the cell's clips in the player
    click_row(page, -1, 0)
    expect(page.get_by_role("link", name=re.compile("Annotate this clip")).last).to_be_visible()
    expect(page.locator(PLAYER).last).to_be_visible()

    # 6. the ablation finishes; FIR / ER / MIXT / FULL side by side
    nav(page, "Train")
    expect(page.get_by_text("Status: succeeded")).to_be_visible(timeout=300_000)
    nav(page, "Compare")
    page.get_by_label("ablation", exact=True).click()
    page.get_by_role("option", name=re.compile("ablation")).last.click()
    expect(page.get_by_text("Variants: FIR · ER · MIXT · FULL")).to_be_visible()
    shot(page, "compare")

    # 7. trajectories of a clip, variants overlaid
    nav(page, "Trajectories")
    expect(page.get_by_text("encoder features, PCA path over time").first).to_be_visible()
    shot(page, "trajectories")

    # 8. spotting: a run on toy long videos (spotting's own test catalog), its page with the MEGC figures
    monkeypatch.setenv("GLIMPSE_HOME", str(workbench.home))  # run folders and caches of the workbench's home
    spot_fixtures = _load_by_path(Path(__file__).resolve().parents[1] / "spotting" / "spotting_catalog.py")
    with session_scope(workbench.db_url) as s:
        spot_fixtures.build_long_dataset(s, workbench.home / "datasets" / "toy-long")
    summary = run_spotting(workbench.db_url, spot_fixtures.DATASET, SpotConfig(method="fd"))
    nav(page, "Spotting")
    expect(page.get_by_text(f"fd on {spot_fixtures.DATASET}").first).to_be_visible()
    expect(page.locator('[data-testid="stMetricValue"]').first).to_have_text(f"{summary.metrics['f1']:.3f}")
    expect(page.get_by_text("Per video")).to_be_visible()
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    shot(page, "spotting")


def _load_by_path(path: Path):  # noqa: ANN202 — another test folder's fixtures module
    spec = importlib.util.spec_from_file_location(f"glimpse_{path.parent.name}_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))  # its own helpers (spotting_toy) beside it
    spec.loader.exec_module(module)
    return module
