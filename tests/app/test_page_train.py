"""The Train page: the form queues a job with its parameters (and the cross-dataset protocol), and its cancel
button cancels a queued job. AppTest against conftest.py's seeded catalog."""

from __future__ import annotations

from app_support import page, texts  # type: ignore[import-not-found]
from sqlalchemy import select

from db.schema import Job
from db.session import session_scope
from engine import api
from engine.train.requests import AblationRequest, request_from_params


def test_train_form_enqueues_job_with_params(seeded, monkeypatch) -> None:
    monkeypatch.setattr(api.jobs, "ensure_worker", lambda: True)
    at = page("train")
    at.run()
    at.toggle(key="train_tiny").set_value(True).run()
    at.radio(key="train_kind").set_value("train")
    at.selectbox(key="train_stage").select("mixt")
    at.text_input(key="train_seeds").input("3 4")
    at.number_input(key="train_tiny_seq_epochs").set_value(2)
    next(b for b in at.button if b.label == "Launch").click().run()
    with session_scope(seeded.url) as s:
        job = s.scalars(select(Job)).one()
        assert job.kind == "train"
        # the typed request (engine.train.requests.TrainRequest) as the job row carries it
        assert job.params["variant"] == "mixt" and job.params["seed"] == 3
        assert job.params["labels"] == "source"
        assert job.params["config"]["sequence"]["epochs"] == 2
    assert f"Job #{job.id}" in texts(at)
    assert "queued" in texts(at)


def test_train_form_passes_the_cross_dataset_protocol(seeded, monkeypatch) -> None:
    monkeypatch.setattr(api.jobs, "ensure_worker", lambda: True)
    at = page("train")
    at.run()
    at.radio(key="train_kind").set_value("ablation")
    at.multiselect(key="train_variants").set_value(["full", "lbptop"])
    at.selectbox(key="train_protocol").select("cross_dataset")
    at.text_input(key="train_train_datasets").input("synthetic-casme2")
    at.text_input(key="train_test_datasets").input("lab-smic, other")
    next(b for b in at.button if b.label == "Launch").click().run()
    # a dataset the catalog lacks is refused before any job is queued
    assert "dataset(s) other not in the catalog" in texts(at)
    with session_scope(seeded.url) as s:
        assert s.scalars(select(Job)).all() == []
    at.text_input(key="train_test_datasets").input("lab-smic")
    next(b for b in at.button if b.label == "Launch").click().run()
    with session_scope(seeded.url) as s:
        job = s.scalars(select(Job)).one()
        config = job.params["config"]
        assert job.kind == "ablation" and config["variants"] == ["full", "lbptop"]
        assert config["protocol"] == "cross_dataset"
        assert config["train_datasets"] == ["synthetic-casme2"]
        assert config["test_datasets"] == ["lab-smic"]
        params = dict(job.params)

    request = request_from_params("ablation", params)  # what the worker will build from the job row
    assert isinstance(request, AblationRequest)
    assert request.config.protocol == "cross_dataset" and request.config.test_datasets == ("lab-smic",)


def test_cancel_button_cancels_a_queued_job(seeded, monkeypatch) -> None:
    monkeypatch.setattr(api.jobs, "ensure_worker", lambda: True)
    job_id = api.enqueue_job(api.local_actor("tester"), "sleep", {"seconds": 30})
    at = page("train")
    at.session_state["job_id"] = job_id
    at.run()
    assert f"Job #{job_id}" in texts(at) and "**Status: queued** (sleep)" in texts(at)
    at.button(key=f"cancel_{job_id}").click().run()
    assert api.job_status(job_id).status == "cancelled"
