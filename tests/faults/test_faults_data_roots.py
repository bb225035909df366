"""Issue 16 item 5: a folder typed into the Datasets page is read only under the data roots
(GLIMPSE_DATA_ROOTS, default the data home), resolved after symlinks; the CLI may ingest any path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from faults_support import run_cli
from ingest.ingest_layouts import casme2  # type: ignore[import-not-found]
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from db.schema import Job
from engine import api
from engine.errors import GlimpseError

ROWS = [(1, "EP02_01f", 5, 6, 8, "12", "happiness")]


def _jobs(session: Session) -> list[Job]:
    session.commit()
    return list(session.scalars(select(Job)))


def test_the_server_reads_only_under_the_data_roots(home: Path, tmp_path: Path, session: Session) -> None:
    inside = casme2(home / "datasets" / "casme2", ROWS)
    private = casme2(tmp_path / "private", ROWS)
    (home / "datasets" / "link").symlink_to(private, target_is_directory=True)
    for path in (
        str(private),
        f"{home}/datasets/../../private",
        str(home / "datasets" / "link"),
        "../private",
    ):
        with pytest.raises(GlimpseError, match="only under its data roots"):
            api.enqueue_job(
                api.local_actor(), "ingest", {"root": path, "format": "casme2"}, start_worker=False
            )
    assert _jobs(session) == []
    with pytest.raises(GlimpseError, match="only under its data roots"):  # nor may a corpus be written there
        api.enqueue_job(
            api.local_actor(), "synth", {"out_dir": str(tmp_path / "elsewhere")}, start_worker=False
        )
    job_id = api.enqueue_job(
        api.local_actor(), "ingest", {"root": "datasets/casme2", "format": "casme2"}, start_worker=False
    )
    assert api.job_status(job_id).params["root"] == str(inside.resolve())  # what the worker will open


def test_data_roots_are_configurable(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = casme2(tmp_path / "shared" / "casme2", ROWS)
    monkeypatch.setenv("GLIMPSE_DATA_ROOTS", os.pathsep.join([str(home), str(tmp_path / "shared")]))
    assert api.data_roots() == [str(home.resolve()), str((tmp_path / "shared").resolve())]
    job_id = api.enqueue_job(api.local_actor(), "ingest", {"root": str(shared)}, start_worker=False)
    assert api.job_status(job_id).params["root"] == str(shared.resolve())
    with pytest.raises(GlimpseError, match="only under its data roots"):
        api.enqueue_job(api.local_actor(), "ingest", {"root": str(tmp_path)}, start_worker=False)


def test_the_datasets_page_says_so_and_queues_nothing(home: Path, tmp_path: Path, session: Session) -> None:
    private = casme2(tmp_path / "private", ROWS)
    at = AppTest.from_string("from workbench.pages import datasets\ndatasets.render()\n", default_timeout=60)
    at.run()
    at.text_input(key="ingest_path").input(str(private))
    at.selectbox(key="ingest_format").select("casme2")
    at.button(key="ingest_go").click().run()
    assert not at.exception
    assert any("only under its data roots" in str(e.value) for e in at.error), [e.value for e in at.error]
    assert _jobs(session) == []


def test_the_cli_may_ingest_any_path(home: Path, tmp_path: Path) -> None:
    private = casme2(tmp_path / "private", ROWS)
    result = run_cli("ingest", str(private), "--name", "mine")
    assert result.returncode == 0, result.stderr
