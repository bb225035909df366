"""Two coders code the same assigned clips blind in real Chromium, signed in through a real OpenID Connect
provider (npm ``oidc-provider``); an unassigned clip's URL is refused; a stranger gets nothing.

The identity of each save is the signed-in person (there is no name box); the release's coding and the
other coder's are not on a coder's page; the admin sees the Coders page and closes the assignment, after
which the coders' codings are visible to each other.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, free_port, settle, stop, wait_http, write_frames
from oidc_support import SHORT_LIVED, oidc_provider, start_workbench, write_auth_secrets
from sqlalchemy import select

from db import assignments, people
from db.schema import Annotation, Assignment, Clip, Dataset, Frame, Subject
from db.session import session_scope

pytestmark = pytest.mark.browser
RELEASE_EMOTION = "contempt"  # the release's coding: must never show on a coder's page while blind
N_FRAMES = 12


@dataclass
class SignInLab:
    url: str
    issuer: str
    db_url: str
    clips: list[int]


def _catalog(db_url: str, root: Path) -> list[int]:
    """Three short clips with the release's coding; the first two assigned blind to alice and bob."""
    ids = []
    with session_scope(db_url) as s:
        ds = Dataset(name="lab", format="casme2", root=str(root), fps=30.0, is_synthetic=True)
        sub = Subject(dataset=ds, code="s01")
        s.add_all([ds, sub])
        for i in range(3):
            numbers = write_frames(root / f"c{i}", N_FRAMES)
            clip = Clip(
                dataset=ds, subject=sub, name=f"clip{i}", path=f"c{i}", fps=30.0, n_frames=N_FRAMES,
                first_frame=1, last_frame=N_FRAMES, onset=2, apex=5, offset=8, action_units="14",
                emotion_raw=RELEASE_EMOTION, label="negative",
            )  # fmt: skip
            s.add(clip)
            s.flush()
            s.add_all(
                Frame(clip_id=clip.id, index=k, number=n, path=f"c{i}/img{n}.png")
                for k, n in enumerate(numbers)
            )
            release = {"onset": 2, "apex": 5, "offset": 8, "action_units": "14", "label": "negative"}
            s.add(Annotation(clip_id=clip.id, annotator="source", emotion=RELEASE_EMOTION, **release))
            ids.append(clip.id)
        for login, name, role in (
            ("ada", "ada", "admin"),
            ("alice", "alice", "coder"),
            ("bob", "bob", "coder"),
            (SHORT_LIVED, SHORT_LIVED, "coder"),
        ):
            people.put_person(s, f"{login}@lab.test", name, role, by="setup")
        assignments.create(s, "pilot", ids[:2], ["alice", "bob"], 2, True, {"clips": "test"}, by="ada")
        assignments.create(s, "brief", ids[2:], [SHORT_LIVED], 1, True, {"clips": "test"}, by="ada")
    return ids


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignInLab]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    base = tmp_path_factory.mktemp("signin")
    home, app_dir = base / "home", base / "app"
    home.mkdir()
    app_dir.mkdir()
    db_url = f"sqlite:///{home / 'catalog.sqlite'}"
    env = {**os.environ, "GLIMPSE_HOME": str(home), "GLIMPSE_DB_URL": db_url, "OMP_NUM_THREADS": "1"}
    from db.session import session_factory

    session_factory(db_url)  # migrate
    clips = _catalog(db_url, base / "data")
    app_port, oidc_port = free_port(), free_port()
    redirect = f"http://127.0.0.1:{app_port}/oauth2callback"
    with oidc_provider(oidc_port, redirect, base / "oidc.log") as provider:
        write_auth_secrets(app_dir, app_port, provider)
        app = start_workbench(app_dir, app_port, env, base / "streamlit.log")
        try:
            wait_http(f"http://127.0.0.1:{app_port}/_stcore/health", 90, app)
            yield SignInLab(f"http://127.0.0.1:{app_port}", provider.issuer, db_url, clips)
        finally:
            stop(app)


@pytest.fixture(scope="module")
def browser(lab: SignInLab) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def _sign_in(browser, lab: SignInLab, login: str):  # noqa: ANN001, ANN202
    """A fresh browser session signed in as ``login`` through the provider's login and consent pages."""
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(lab.url)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(lab.issuer) + "/interaction/"))
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any password")
    page.click("button[type=submit]")  # the provider's login form
    page.wait_for_url(re.compile(re.escape(lab.issuer) + "/interaction/"))
    page.click("button[type=submit]")  # its consent form ("Continue")
    page.wait_for_url(re.compile(re.escape(lab.url)))
    return context, page


def _saved(db_url: str) -> dict[tuple[str, int], tuple[int | None, str]]:
    with session_scope(db_url) as s:
        rows = s.execute(
            select(Annotation.annotator, Annotation.clip_id, Annotation.apex, Annotation.updated_by)
        )
        return {(a, c): (apex, by) for a, c, apex, by in rows if a != "source"}


def _shot(page, name: str) -> None:  # noqa: ANN001
    """With GLIMPSE_SCREENSHOTS=<folder>, keep a screenshot for the docs."""
    folder = os.environ.get("GLIMPSE_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _code(page, who: str, clip_id: int, apex: int) -> None:  # noqa: ANN001
    """Type the marks in the number form and save (the save the player's Enter makes too)."""
    settle(page)  # the clip's script run is over: its form will not be redrawn under the typing
    onset = page.get_by_role("spinbutton", name="onset", exact=True)
    if not onset.is_visible():  # the expander stays open from the last clip
        page.get_by_text("type marks as numbers").click()
    onset.wait_for()
    for mark, value in (("onset", apex - 2), ("apex", apex), ("offset", apex + 3)):
        page.get_by_role("spinbutton", name=mark, exact=True).fill(str(value))
    page.keyboard.press("Tab")  # commit the last number before the click
    settle(page)
    page.get_by_role("button", name="Save annotation").click()
    try:
        page.get_by_text(f"saved {who}'s annotation of clip {clip_id} (").wait_for()
    except Exception:
        raise AssertionError(page.inner_text("body")[-1500:]) from None


def test_two_coders_code_blind_and_a_stranger_gets_nothing(lab: SignInLab, browser) -> None:  # noqa: ANN001
    first, second = lab.clips[:2]
    # alice: her queue, no name box, no release coding on the page
    context, page = _sign_in(browser, lab, "alice")
    page.get_by_text("signed in as alice (coder)").wait_for()
    page.get_by_text("0 of 2 coded").wait_for()
    assert page.get_by_label("Annotator").count() == 0  # the coder of a save IS the signed-in user
    assert page.get_by_role("link", name="Coders").count() == 0  # a coder gets the Annotate page only
    assert RELEASE_EMOTION not in page.inner_text("body")
    _code(page, "alice", first, 6)
    page.keyboard.press("n")  # N walks the queue (the progress counts the save): the second clip
    page.get_by_text("1 of 2 coded · clip 2 of 2").wait_for()
    _code(page, "alice", second, 7)
    page.keyboard.press("p")  # P goes back
    page.get_by_text("2 of 2 coded · clip 1 of 2").wait_for()
    _shot(page, "coder-queue")
    # a URL to a clip not assigned to her is refused
    page.goto(f"{lab.url}/?clip={lab.clips[2]}")
    page.get_by_text(f"clip {lab.clips[2]} is not assigned to alice").wait_for()
    context.close()

    # bob: his own queue, alice's coding and the release's hidden from him
    context, page = _sign_in(browser, lab, "bob")
    page.get_by_text("0 of 2 coded").wait_for()
    page.get_by_text("History of this clip's codings").click()
    page.get_by_text("no saved codings yet").wait_for()  # alice saved this clip; bob sees no version of it
    body = page.inner_text("body")
    assert "alice" not in body and RELEASE_EMOTION not in body
    _code(page, "bob", first, 4)
    context.close()
    assert _saved(lab.db_url) == {
        ("alice", first): (6, "alice"), ("alice", second): (7, "alice"), ("bob", first): (4, "bob"),
    }  # fmt: skip

    # a stranger (known to the provider, not to the catalog) is refused and gets no page
    context, page = _sign_in(browser, lab, "mallory")
    page.get_by_text("Refused: mallory@lab.test is not a person of this catalog").wait_for()
    _shot(page, "stranger-refused")
    assert page.get_by_role("link", name="Annotate").count() == 0
    assert "0 of 2" not in page.inner_text("body")
    context.close()
    assert set(_saved(lab.db_url)) == {("alice", first), ("alice", second), ("bob", first)}

    # the admin manages coders and closes the assignment; then bob sees alice's coding
    context, page = _sign_in(browser, lab, "ada")
    page.goto(f"{lab.url}/coders")
    page.get_by_text("pilot").wait_for()
    _shot(page, "coders")
    with session_scope(lab.db_url) as s:
        pilot = s.scalar(select(Assignment.id).where(Assignment.name == "pilot"))
    page.locator(f".st-key-assign_close_{pilot} button").click()
    page.get_by_text("closed by ada").wait_for()
    context.close()
    with session_scope(lab.db_url) as s:
        assert s.scalar(select(Assignment.closed_by).where(Assignment.id == pilot)) == "ada"


def test_an_expired_sign_in_is_refused(lab: SignInLab, browser) -> None:  # noqa: ANN001
    """The provider's ID token for this account lives 2 s: once it has expired, the next request is
    refused (reloading until the refusal shows: an event, not a sleep) and nothing can be saved."""
    context, page = _sign_in(browser, lab, SHORT_LIVED)
    refused = page.get_by_text("Refused: your sign-in has expired")
    for _ in range(30):
        if refused.is_visible():
            break
        page.reload()
        page.wait_for_load_state("networkidle")
    refused.wait_for()
    assert page.get_by_role("button", name="Save annotation").count() == 0
    context.close()
    assert not any(annotator == SHORT_LIVED for annotator, _ in _saved(lab.db_url))
