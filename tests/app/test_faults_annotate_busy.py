"""Issue 16 item 2 on the Annotate page: a save while another process holds the catalog's write lock
shows the busy sentence (who holds it, try again), keeps the typed marks, and saves them once it is free."""

from __future__ import annotations

import pytest
from app_support import open_on_clip, save_annotation  # type: ignore[import-not-found]
from faults.faults_support import write_lock_held  # type: ignore[import-not-found]


@pytest.fixture()
def short_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLIMPSE_SQLITE_BUSY_S", "1")  # before the catalog's first connection


def test_a_save_on_a_busy_catalog_says_so_and_keeps_the_marks(short_busy, seeded) -> None:  # noqa: ANN001
    cid = seeded.clip_ids[1]
    at = open_on_clip("annotate", cid)
    at.text_input(key="ann_annotator").input("alice").run()
    at.number_input(key=f"ann_apex_{cid}").set_value(105)
    with write_lock_held(seeded.home / "catalog.sqlite") as holder:
        save_annotation(at)
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(f"the catalog is busy: process {holder.pid} (" in e and "try again" in e for e in errors), (
        errors
    )
    assert at.number_input(key=f"ann_apex_{cid}").value == 105  # the marks are still there
    save_annotation(at)
    assert any("saved alice's annotation" in s.value for s in at.success)
