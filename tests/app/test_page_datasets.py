"""The Datasets page: counts and the SYNTHETIC badge, and the ingest and synth jobs it queues. AppTest
against conftest.py's seeded catalog."""

from __future__ import annotations

from app_support import page, texts  # type: ignore[import-not-found]
from sqlalchemy import select

from db.schema import Job
from db.session import session_scope
from engine import api
from engine.jobs.handlers.base import split_config
from engine.synth.config import SynthConfig


def test_datasets_page_counts_and_synthetic_badge(seeded) -> None:
    at = page("datasets").run()
    assert not at.exception
    table = at.dataframe[0].value
    row = table.set_index("name").loc["synthetic-casme2"]
    assert (row.clips, row.subjects, row.frames) == (4, 2, 40)
    assert row.synthetic == "SYNTHETIC"
    assert table.set_index("name").loc["lab-smic"].synthetic == ""
    assert "synthetic-casme2** :orange-badge[SYNTHETIC]" in texts(at)
    assert "negative: 2" in texts(at)


def test_datasets_page_enqueues_ingest_job(seeded, monkeypatch) -> None:
    monkeypatch.setattr(api.jobs, "ensure_worker", lambda: True)  # no background worker in a unit test
    at = page("datasets").run()
    folder = str((seeded.home / "datasets" / "casme2").resolve())  # under the data home (the data root)
    at.text_input(key="ingest_path").input(folder)
    at.selectbox(key="ingest_format").select("casme2")
    at.button(key="ingest_go").click().run()
    with session_scope(seeded.url) as s:
        job = s.scalars(select(Job)).one()
        assert (job.kind, job.params["root"], job.params["format"]) == ("ingest", folder, "casme2")
    assert f"job #{job.id} queued" in texts(at)


def test_datasets_page_enqueues_tiny_synth_job(seeded, monkeypatch) -> None:
    monkeypatch.setattr(api.jobs, "ensure_worker", lambda: True)
    at = page("datasets").run()
    at.radio(key="synth_size").set_value("tiny")
    at.button(key="synth_go").click().run()
    with session_scope(seeded.url) as s:
        job = s.scalars(select(Job)).one()
        assert job.kind == "synth"
        assert split_config(SynthConfig, job.params, {"out_dir"}) == SynthConfig.tiny(0)
