"""What the player says in a real Chromium: a version conflict on Enter offers reload / overwrite at once,
a spot opened in a recording shows its onset and difference views, playback says how many frames it
painted and dropped and offers the speed that paints every frame, and a saved coding keeps one lane."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from db import queries
from db.schema import Annotation, Clip, Frame
from db.session import session_scope
from engine.annotate import store

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

PLAYER = '[data-testid="glimpse-player"]'
PAINTED = "n => window.__glimpsePlayer && window.__glimpsePlayer.frame === n"
CANVAS = """sel => document.querySelector('[data-testid="stBidiComponentIsolated"]').shadowRoot
                   .querySelector(sel)"""


def _shot(page, name: str) -> None:  # noqa: ANN001
    """The player as the user sees it, into $GLIMPSE_SCREENSHOTS when set (docs/WORKBENCH.md's images)."""
    folder = os.environ.get("GLIMPSE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.locator(PLAYER).screenshot(path=str(Path(folder) / f"{name}.png"))


def _micro_clip(db_url: str, k: int) -> tuple[int, list[int], tuple[int, int]]:
    """The k-th synthetic ME clip: id, frame numbers, coded (onset, offset)."""
    with session_scope(db_url) as s:
        clip = s.scalars(select(Clip).where(Clip.kind == "micro").order_by(Clip.id)).all()[k]
        numbers = list(s.scalars(select(Frame.number).where(Frame.clip_id == clip.id).order_by(Frame.index)))
        return clip.id, numbers, (clip.onset, clip.offset)


def _open(page, url: str, query: str, frame: int) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    page.goto(f"{url}/annotate?{query}")
    expect(page.locator(PLAYER)).to_be_visible(timeout=60_000)
    page.wait_for_function(PAINTED, arg=frame)


def _focus(page) -> None:  # noqa: ANN001
    page.locator(PLAYER).get_by_test_id("glimpse-frame").click()


def _gray_at_centre(page, selector: str) -> int:  # noqa: ANN001
    return page.evaluate(
        f"""() => {{ const c = ({CANVAS})('{selector}');
                 return c.getContext('2d').getImageData(c.width / 2, c.height / 2, 1, 1).data[0]; }}"""
    )


def test_enter_save_conflict_offers_reload_or_overwrite_at_once(workbench, browser_page) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    page = browser_page
    clip_id, numbers, _ = _micro_clip(workbench.db_url, 1)
    _open(page, workbench.url, f"clip={clip_id}", numbers[0])
    annotator = page.get_by_label("Annotator")
    annotator.fill("erin")
    annotator.press("Enter")
    player = page.locator(PLAYER)
    expect(player.get_by_text("marking as erin")).to_be_visible()
    # someone else saves erin's coding of this clip after her page opened it
    store.save(clip_id, "erin", store.Marks(numbers[1], numbers[3], numbers[5]), None, saved_by="frank",
               url=workbench.db_url)  # fmt: skip
    _focus(page)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("i")
    page.keyboard.press("Enter")
    expect(player.get_by_test_id("glimpse-message")).to_have_text(re.compile("changed by frank"))
    # the choice is on the page without touching any other widget
    expect(page.get_by_role("button", name="Reload their annotation")).to_be_visible()
    page.get_by_role("button", name="Overwrite with mine").click()
    expect(page.get_by_text(re.compile("saved erin's annotation"))).to_be_visible()
    with session_scope(workbench.db_url) as s:
        row = s.scalars(select(Annotation).where(Annotation.annotator == "erin")).one()
        assert (row.clip_id, row.onset, row.apex) == (clip_id, numbers[2], None)  # hers, not frank's
    # her saved coding is drawn in her one lane, not in a second lane beside it
    page.wait_for_function("() => window.__glimpsePlayer.lanes.includes('erin')")
    lanes = page.evaluate("() => window.__glimpsePlayer.lanes")
    assert lanes.count("erin") == 1 and "frank" not in lanes


def test_spot_opened_in_a_recording_shows_onset_and_difference(
    workbench, browser_page, make_recording
) -> None:  # noqa: ANN001
    clip_id = make_recording(n_frames=600, first_number=1)
    with session_scope(workbench.db_url) as s:
        queries.add_interval(s, clip_id, "kim", 200, 250, "micro", apex=224)
    page = browser_page
    _open(page, workbench.url, f"clip={clip_id}&frame=224", 224)
    page.wait_for_function("() => window.__glimpsePlayer.ref === 200")  # the interval's onset, painted
    assert abs(_gray_at_centre(page, "canvas.gp-cur") - 224) <= 3  # frame n is gray n % 251
    assert abs(_gray_at_centre(page, "canvas.gp-ref") - 200) <= 3
    assert _gray_at_centre(page, "canvas.gp-diff") > 0  # |224 − 200| × gain, not a blank view
    _shot(page, "player-spot")
    # a spot no interval covers compares with the recording's first frame, which is fetched too
    _open(page, workbench.url, f"clip={clip_id}&frame=500", 500)
    page.wait_for_function("() => window.__glimpsePlayer.ref === 1")
    assert abs(_gray_at_centre(page, "canvas.gp-ref") - 1) <= 3


def test_playback_says_painted_rate_and_dropped_frames(workbench, browser_page) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    page = browser_page
    clip_id, numbers, _ = _micro_clip(workbench.db_url, 2)
    _open(page, workbench.url, f"clip={clip_id}", numbers[0])
    player = page.locator(PLAYER)
    player.locator(".gp-loop").check()  # loop onset → offset: every frame is loaded
    _focus(page)
    page.keyboard.press(" ")
    # 200 fps footage on a display paced at ~60 Hz: frames are dropped, and the player says so
    page.wait_for_function("() => { const r = window.__glimpsePlayer.rate; return r && r.dropped > 0; }")
    page.keyboard.press(" ")  # paused: the last figures stay on screen, and stay still for the checks
    rate = page.evaluate("() => window.__glimpsePlayer.rate")
    assert rate["target"] == 200 and 0 < rate["painted"] < 200
    expect(player.get_by_test_id("glimpse-rate")).to_have_text(
        re.compile(rf"painted \d+ of 200 frames/s · {rate['dropped']} dropped")
    )
    offer = player.get_by_test_id("glimpse-every-frame")
    every = rate["every"]
    assert every is not None and every > 0
    assert 200 / 2**every <= rate["refresh"]  # the offered speed's frame rate is one the display kept up with
    assert 200 / 2 ** (every - 1) > 0.9 * rate["refresh"]  # and the next faster one is not
    expect(offer).to_have_text(re.compile(r"\(\d+(\.\d+)? fps\) paints every frame"))
    _shot(page, "player-rate")
    offer.click()
    assert player.locator(".gp-speed").input_value() == str(every)
    _focus(page)
    page.keyboard.press(" ")
    page.wait_for_function(f"() => window.__glimpsePlayer.rate.speed === {every}")
    page.keyboard.press(" ")


# the sum of a canvas's red channel: tells two paintings of one frame apart (null while a rerun
# has no player drawn)
CANVAS_SUM = """sel => { const c = document.querySelector('[data-testid="stBidiComponentIsolated"]')
                   ?.shadowRoot?.querySelector(sel);
                 if (!c) return null;
                 const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                 let s = 0; for (let i = 0; i < d.length; i += 4) s += d[i]; return s; }"""


def test_magnified_view_repaints_the_frame_magnified(workbench, browser_page) -> None:  # noqa: ANN001
    page = browser_page
    clip_id, numbers, _ = _micro_clip(workbench.db_url, 2)
    middle = numbers[len(numbers) // 2]
    _open(page, workbench.url, f"clip={clip_id}&view=crops&frame={middle}", middle)
    plain = page.evaluate(CANVAS_SUM, "canvas.gp-cur")
    assert plain > 0
    mounted = page.evaluate("() => window.__glimpsePlayer.mountedAt")
    changed = f"p => {{ const s = ({CANVAS_SUM})('canvas.gp-cur'); return s !== null && s !== p; }}"
    # switching the view in the page (no reload) repaints the frame from the magnified window: the
    # browser drops the plain crops it decoded
    page.get_by_text("magnified", exact=True).click()
    page.get_by_text(re.compile("showing face crops magnified ×10 in 1–10 Hz")).wait_for()
    page.wait_for_function(changed, arg=plain)
    assert page.evaluate("() => window.__glimpsePlayer.frame") == middle
    # the same player, not a new one (a new one would drop unsaved marks)
    assert page.evaluate("() => window.__glimpsePlayer.mountedAt") == mounted
    narrow = page.evaluate(CANVAS_SUM, "canvas.gp-cur")
    _shot(page, "player-magnified")
    folder = os.environ.get("GLIMPSE_SCREENSHOTS")
    if folder:  # the page with the view's gain / band / method widgets above the player
        page.screenshot(path=str(Path(folder) / "annotate-magnified.png"))
    # another band in the same player: the browser drops the frames it decoded under the old one
    band_high = page.get_by_label("band high (Hz)")
    band_high.fill("60")
    band_high.press("Enter")
    page.get_by_text(re.compile("showing face crops magnified ×10 in 1–60 Hz")).wait_for()
    page.wait_for_function(changed, arg=narrow)
    assert page.evaluate("() => window.__glimpsePlayer.frame") == middle
