"""Issue 16 item 2 on the Annotate page: a save while another process holds the catalog's write lock
shows the busy sentence (who holds it, try again), keeps the typed marks, and saves them once it is free."""

from __future__ import annotations

import pytest
from faults.faults_support import write_lock_held  # type: ignore[import-not-found]
from streamlit.testing.v1 import AppTest


@pytest.fixture()
def short_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLIMPSE_SQLITE_BUSY_S", "1")  # before the catalog's first connection


def _save(at: AppTest) -> None:
    next(b for b in at.button if b.label == "Save annotation").click().run()


def test_a_save_on_a_busy_catalog_says_so_and_keeps_the_marks(short_busy, seeded) -> None:  # noqa: ANN001
    cid = seeded.clip_ids[1]
    at = AppTest.from_string("from workbench.pages import annotate\nannotate.render()\n", default_timeout=60)
    at.session_state["clip_id"] = cid
    at.run()
    at.text_input(key="ann_annotator").input("alice").run()
    at.number_input(key=f"ann_apex_{cid}").set_value(105)
    with write_lock_held(seeded.home / "catalog.sqlite") as holder:
        _save(at)
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(f"the catalog is busy: process {holder.pid} (" in e and "try again" in e for e in errors), (
        errors
    )
    assert at.number_input(key=f"ann_apex_{cid}").value == 105  # the marks are still there
    _save(at)
    assert any("saved alice's annotation" in s.value for s in at.success)
