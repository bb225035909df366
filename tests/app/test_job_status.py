"""Live job status on every page that starts a job: progress in words, the job's runs linked, any job's
log and settings from the job list (its click is driven in tests/browser/test_results_walk.py)."""

from __future__ import annotations

from app_support import page, texts  # type: ignore[import-not-found]
from sqlalchemy import select

from db.schema import RECORDING, Clip, Dataset, Job, Run, Subject
from db.session import session_scope
from engine import api
from engine.jobs import queue
from workbench.components.jobs import progress_text


def _no_worker(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(api.jobs, "ensure_worker", lambda: True)  # the test plays the worker's part


def test_progress_reads_as_a_percentage_with_words(seeded, monkeypatch) -> None:
    _no_worker(monkeypatch)
    job_id = api.enqueue_job(api.local_actor("tester"), "sleep", {"seconds": 30})
    assert progress_text(api.job_status(job_id)) == "0% — waiting for a worker to claim it"
    with session_scope(seeded.url) as s:
        s.get(Job, job_id).status = "running"
        queue.set_progress(s, job_id, 0.4237, "run 3/8 · full seed 1 · loso folds · task 17/26 done")
    assert progress_text(api.job_status(job_id)) == (
        "42% — running: run 3/8 · full seed 1 · loso folds · task 17/26 done"
    )


def test_spotting_shows_the_job_it_queued_and_its_progress(seeded, monkeypatch) -> None:
    _no_worker(monkeypatch)
    with session_scope(seeded.url) as s:
        ds = Dataset(
            name="long-videos", format="casme_sq", root=str(seeded.home), fps=30.0, is_synthetic=True
        )
        s.add(Clip(dataset=ds, subject=Subject(dataset=ds, code="s15"), name="v1", path="v1", kind=RECORDING))
    at = page("spotting").run()
    at.button(key="spot_go").click().run()
    at.run()  # a later rerun (here: any widget) still shows the job, not only the "queued" toast
    with session_scope(seeded.url) as s:
        job_id = s.scalars(select(Job.id).where(Job.kind == "spot")).one()
    assert f"Job #{job_id}" in texts(at)
    assert [p.text for p in at.get("progress")] == ["0% — waiting for a worker to claim it"]
    with session_scope(seeded.url) as s:
        s.get(Job, job_id).status = "running"
        queue.set_progress(s, job_id, 0.5, "spotting s15")
    at.run()
    assert [p.text for p in at.get("progress")] == ["50% — running: spotting s15"]
    with session_scope(seeded.url) as s:
        s.get(Job, job_id).status = "succeeded"
    at.run()
    assert [b.label for b in at.button if b.key == f"show_spot_{job_id}"] == ["Show the new spotting run"]


def test_datasets_page_shows_the_job_it_queued(seeded, monkeypatch) -> None:
    _no_worker(monkeypatch)
    at = page("datasets").run()
    at.button(key="synth_go").click().run()
    at.run()
    with session_scope(seeded.url) as s:
        job_id = s.scalars(select(Job.id)).one()
    assert f"Job #{job_id}" in texts(at) and "**Status: queued** (synth)" in texts(at)


def test_an_ended_job_links_to_its_runs_and_shows_its_settings(seeded, monkeypatch) -> None:
    _no_worker(monkeypatch)
    job_id = api.enqueue_job(
        api.local_actor("tester"), "sleep", {"seconds": 1, "note": "from another browser"}
    )
    with session_scope(seeded.url) as s:
        s.get(Run, seeded.run_id).job_id = job_id
        s.get(Run, seeded.ablation_id).job_id = job_id
        s.get(Job, job_id).status = "succeeded"
        s.get(Job, job_id).progress = 1.0
    at = page("train")
    at.session_state["job_id"] = job_id  # what a click on its row in the job list sets
    at.run()
    assert not at.exception
    assert [p.text for p in at.get("progress")] == ["100% — finished"]
    links = {(link.proto.page, link.proto.query_string, link.proto.label) for link in at.get("page_link")}
    assert ("compare", "ablation=abl-1", "Compare the variants of ablation abl-1") in links
    assert ("results", "ablation=abl-1", "") not in links
    assert any(page_ == "results" and query == f"run={seeded.run_id}" for page_, query, _ in links)
    assert at.json[0].value and '"note": "from another browser"' in at.json[0].value.replace("\n", "")
    assert not [b for b in at.button if b.label == "Cancel job"]  # nothing left to cancel
