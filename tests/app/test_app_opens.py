"""The whole app (streamlit_app.py) opens on the Datasets page and shows where its catalog is. AppTest
against conftest.py's seeded catalog."""

from __future__ import annotations

from app_support import TIMEOUT  # type: ignore[import-not-found]
from streamlit.testing.v1 import AppTest


def test_full_app_opens_on_datasets(seeded) -> None:
    at = AppTest.from_file("../../streamlit_app.py", default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.title[0].value == "Datasets"
    assert "catalog.sqlite" in at.sidebar.code[0].value
