"""The annotator's player in a real Chromium: keyboard marking saved to the catalog, scrubbing shows the
right frame number, and a long recording (thousands of frames) opens and seeks without loading all."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from db.schema import Annotation, Clip, Frame
from db.session import session_scope

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

PLAYER = '[data-testid="glimpse-player"]'
PAINTED = "n => window.__glimpsePlayer && window.__glimpsePlayer.frame === n"


def open_clip(page, url: str, clip_id: int, first: int) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    page.goto(f"{url}/annotate?clip={clip_id}")
    player = page.locator(PLAYER)
    expect(player).to_be_visible(timeout=60_000)
    expect(player.get_by_test_id("glimpse-frame")).to_have_text(f"Frame {first}")
    page.wait_for_function(PAINTED, arg=first)  # the first frame is painted, not only its number


def focus_player(page) -> None:  # noqa: ANN001
    page.locator(PLAYER).get_by_test_id("glimpse-frame").click()


def mark_as(page, name: str):  # noqa: ANN001, ANN201
    """Type ``name`` as the Annotator, wait until the player marks as them and give it the keyboard."""
    from playwright.sync_api import expect

    annotator = page.get_by_label("Annotator")
    annotator.fill(name)
    annotator.press("Enter")
    player = page.locator(PLAYER)
    expect(player.get_by_text(f"marking as {name}")).to_be_visible()
    focus_player(page)
    return player


def _first_clip(db_url: str) -> tuple[int, list[int]]:
    with session_scope(db_url) as s:
        clip = s.scalars(select(Clip).where(Clip.kind == "micro").order_by(Clip.id)).first()
        numbers = list(s.scalars(select(Frame.number).where(Frame.clip_id == clip.id).order_by(Frame.index)))
        return clip.id, numbers


def test_keyboard_marks_are_saved_for_the_annotator(workbench, browser_page) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    page = browser_page
    clip_id, numbers = _first_clip(workbench.db_url)
    open_clip(page, workbench.url, clip_id, numbers[0])
    player = mark_as(page, "kim")
    frame = player.get_by_test_id("glimpse-frame")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(frame).to_have_text(f"Frame {numbers[2]}")
    page.keyboard.press("i")
    page.keyboard.press("Shift+ArrowRight")
    expect(frame).to_have_text(f"Frame {numbers[12]}")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("a")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(frame).to_have_text(f"Frame {numbers[22]}")
    page.keyboard.press("o")
    expect(player.locator(".gp-v-offset")).to_have_text(str(numbers[22]))
    page.keyboard.press("Enter")
    expect(player.get_by_test_id("glimpse-message")).to_have_text(
        re.compile(f"saved kim's annotation of clip {clip_id}")
    )
    with session_scope(workbench.db_url) as s:
        rows = s.scalars(select(Annotation).where(Annotation.annotator == "kim")).all()
        assert [(r.clip_id, r.onset, r.apex, r.offset) for r in rows] == [
            (clip_id, numbers[2], numbers[11], numbers[22])
        ]
    # Esc drops unsaved marks: the onset goes back to the saved one
    focus_player(page)
    page.keyboard.press("Home")
    page.keyboard.press("i")
    expect(player.locator(".gp-v-onset")).to_have_text(str(numbers[0]))
    page.keyboard.press("Escape")
    expect(player.locator(".gp-v-onset")).to_have_text(str(numbers[2]))
    # a mark in the wrong order is refused, naming the marks, and nothing is written
    page.keyboard.press("End")
    page.keyboard.press("i")
    page.keyboard.press("Enter")
    expect(player.get_by_test_id("glimpse-message")).to_have_text(re.compile(r"onset \d+ is after apex"))
    with session_scope(workbench.db_url) as s:
        row = s.scalars(select(Annotation).where(Annotation.annotator == "kim")).one()
        assert row.onset == numbers[2]


def test_scrubbing_and_help(workbench, browser_page) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    page = browser_page
    clip_id, numbers = _first_clip(workbench.db_url)
    open_clip(page, workbench.url, clip_id, numbers[0])
    player = page.locator(PLAYER)
    frame = player.get_by_test_id("glimpse-frame")
    focus_player(page)
    page.keyboard.press("End")
    expect(frame).to_have_text(f"Frame {numbers[-1]}")
    page.wait_for_function(PAINTED, arg=numbers[-1])
    page.keyboard.press("Home")
    expect(frame).to_have_text(f"Frame {numbers[0]}")
    # click on the timeline at the position of frame k: the player shows that frame
    box = player.locator("canvas.gp-tlc").bounding_box()
    assert box is not None
    gutter, right = 108, 8  # player.js GUTTER and the right margin
    for k in (5, len(numbers) // 2, len(numbers) - 3):
        x = box["x"] + gutter + k / (len(numbers) - 1) * (box["width"] - gutter - right)
        page.mouse.click(x, box["y"] + 10)
        expect(frame).to_have_text(f"Frame {numbers[k]}")
        page.wait_for_function(PAINTED, arg=numbers[k])
    page.keyboard.press("?")
    expect(player.get_by_text("set onset / apex / offset at the current frame")).to_be_visible()
    page.keyboard.press("Escape")
    expect(player.get_by_text("set onset / apex / offset at the current frame")).to_be_hidden()


def _micro_clips(db_url: str, k: int) -> list[tuple[int, list[int]]]:
    with session_scope(db_url) as s:
        ids = s.scalars(select(Clip.id).where(Clip.kind == "micro").order_by(Clip.id)).all()[:k]
        return [
            (cid, list(s.scalars(select(Frame.number).where(Frame.clip_id == cid).order_by(Frame.index))))
            for cid in ids
        ]


# the player's root inside the component's shadow DOM (a mark set on it survives only if it is kept)
ROOT = """document.querySelector('[data-testid="stBidiComponentIsolated"]').shadowRoot.querySelector('.gp')"""


def test_next_clip_keeps_the_player_and_nothing_of_the_last_clip(workbench, browser_page) -> None:  # noqa: ANN001
    """Another clip picked in the box is new data for the same browser player (no remount: part of every
    next clip's wait), and nothing of the last clip goes with it: its unsaved marks are dropped as before,
    the first window shown is the new clip's, a save stores the new clip only."""
    from playwright.sync_api import expect

    page = browser_page
    (first_id, first), (second_id, second) = _micro_clips(workbench.db_url, 2)
    open_clip(page, workbench.url, first_id, first[0])
    player = mark_as(page, "lee")
    page.keyboard.press("End")
    page.keyboard.press("i")  # an unsaved onset on the first clip
    expect(player.locator(".gp-v-onset")).to_have_text(str(first[-1]))
    page.evaluate(f"() => {{ {ROOT}.dataset.probe = 'kept'; }}")
    box = page.get_by_label("clip", exact=True)
    box.click()
    page.keyboard.type(f"#{second_id} ")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "([id, n]) => window.__glimpsePlayer.clip === id && window.__glimpsePlayer.frame === n",
        arg=[second_id, second[0]],
    )
    assert page.evaluate(f"() => {ROOT}.dataset.probe") == "kept"  # the same player, not a new one
    expect(player.locator(".gp-v-onset")).to_have_text("–")  # the first clip's unsaved mark is gone
    assert page.evaluate(f"() => {ROOT}.dataset.frame") == str(second[0])
    # the new clip's last frame is there to be marked (the page sends a few, the player asks for more)
    focus_player(page)
    page.keyboard.press("End")
    page.wait_for_function(PAINTED, arg=second[-1])
    page.keyboard.press("i")
    page.keyboard.press("Enter")
    expect(player.get_by_test_id("glimpse-message")).to_have_text(
        re.compile(f"saved lee's annotation of clip {second_id}")
    )
    with session_scope(workbench.db_url) as s:
        rows = s.scalars(select(Annotation).where(Annotation.annotator == "lee")).all()
        assert [(r.clip_id, r.onset) for r in rows] == [(second_id, second[-1])]


def test_long_recording_opens_and_seeks(workbench, browser_page, make_recording) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    n = 3000
    clip_id = make_recording(n_frames=n, first_number=1)
    page = browser_page
    open_clip(page, workbench.url, clip_id, 1)
    loaded = page.evaluate("() => window.__glimpsePlayer.loaded")
    assert 0 < loaded < n  # a window around the cursor, not the whole recording
    player = page.locator(PLAYER)
    frame = player.get_by_test_id("glimpse-frame")
    focus_player(page)
    page.keyboard.press("End")
    expect(frame).to_have_text(f"Frame {n}")
    page.wait_for_function(PAINTED, arg=n, timeout=60_000)  # the far window streamed in
    for _ in range(3):
        page.keyboard.press("Shift+ArrowLeft")
    expect(frame).to_have_text(f"Frame {n - 30}")
    page.wait_for_function(PAINTED, arg=n - 30)
    assert page.evaluate("() => window.__glimpsePlayer.loaded") < n
    # the frame painted is the one named: each synthetic frame carries its number as a gray level
    level = page.evaluate(
        """() => { const c = document.querySelector('[data-testid="stBidiComponentIsolated"]')
                 .shadowRoot.querySelector('canvas.gp-cur');
                 const d = c.getContext('2d').getImageData(c.width / 2, c.height / 2, 1, 1).data;
                 return d[0]; }"""
    )
    assert abs(level - ((n - 30) % 251)) <= 3
