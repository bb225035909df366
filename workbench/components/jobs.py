"""Live job status for every page that starts a job, and the clickable job list.

The monitor is a fragment that re-reads the job row every second (``st.fragment(run_every=…)``), so a
page shows a job's progress without a reload; when a job it watched ends, a button reruns the whole
page so it shows what the job made (a new run in its picker). A button, not an automatic rerun: a
rerun the fragment starts by itself races a click on the navigation made at that moment, and the
browser was left on an empty page. Any job's log and settings show from the job list, not only those
started in this browser.
"""

from __future__ import annotations

import streamlit as st

from engine import api
from engine.errors import GlimpseError
from workbench import identity, state
from workbench.components.downloads import table_download
from workbench.components.run_links import compare_link, results_link

POLL_S = 1.0  # how often a watched job is re-read
LIST_POLL_S = 2.0  # how often the job list is
PROGRESS_COLUMN = st.column_config.ProgressColumn("progress", format="percent", min_value=0, max_value=1)
ACTIVE_SEEN = "jobs_seen_active"  # session key: jobs this session saw queued or running
WAITING = {"queued": "waiting for a worker to claim it", "running": "running"}
ENDED = {
    "succeeded": "finished",
    "failed": "failed",
    "cancelled": "cancelled",
    "lost": "lost: its worker stopped answering",
}


def progress_text(job: api.JobStatus) -> str:
    """E.g. ``42% — running: run 3/8 · full seed 1 · loso folds · task 17/26 done``."""
    percent = round(100 * min(max(job.progress, 0.0), 1.0))
    words = WAITING.get(job.status) or ENDED.get(job.status, job.status)
    said = job.message and job.message != job.status and not job.is_final
    return f"{percent}% — {words}" + (f": {job.message}" if said else "")


def job_monitor(job_id: int, key: str, show_label: str | None = None) -> None:
    """A job's live status: progress in words, status, error, cancel, links to its runs, log, settings;
    ``show_label``: a button, once a job watched here ended, that reruns the page to show its result."""
    st.subheader(f"Job #{job_id}")
    _live(int(job_id), key, show_label)


@st.fragment(run_every=POLL_S)
def _live(job_id: int, key: str, show_label: str | None) -> None:
    try:
        job = api.job_status(job_id)
    except GlimpseError as error:
        state.show_error(error)
        return
    st.progress(min(max(job.progress, 0.0), 1.0), text=progress_text(job))
    st.markdown(f"**Status: {job.status}** ({job.kind})")
    if job.status in ("failed", "lost") and job.error:
        st.error(job.error)
    if job.is_final:
        _runs_of(job)
    elif st.button("Cancel job", key=f"cancel_{job_id}"):
        api.cancel_job(identity.viewer(), job_id)
        st.warning("cancel requested")
    lines = api.job_logs(job_id, tail=15)
    if lines:
        st.code("\n".join(lines), language=None)
    with st.expander("settings of this job"):
        st.json(dict(job.params), expanded=2)  # the request and its config open, deeper levels folded
    seen: set[int] = st.session_state.setdefault(ACTIVE_SEEN, set())
    if not job.is_final:
        seen.add(job_id)
    elif (
        job_id in seen  # it ended while watched here
        and show_label
        and job.status == "succeeded"
        and st.button(show_label, key=f"show_{key}_{job_id}", type="primary")
    ):
        seen.discard(job_id)
        st.rerun(scope="app")  # the whole page, not only this fragment


def _runs_of(job: api.JobStatus) -> None:
    """Links from an ended job to the runs it made (an ablation: to Compare and its parent)."""
    runs = api.runs_of_job(job.id)
    if job.status == "succeeded":
        st.success("finished" + (" — its runs:" if runs else ""))
    for run in runs:
        if run.kind == "ablation":
            compare_link(run.id)
            results_link(run.id, label=f"Open ablation {run.id} on Results")
        elif run.kind == "spotting":
            st.caption(f"spotting run {run.id}: on the Spotting page")
        elif run.parent is None:
            results_link(run.id, label=f"Open {run.label} on Results")


def jobs_table(key: str, limit: int = 20) -> None:
    """The newest jobs, refreshed live; a click on a row shows that job's monitor (``state.JOB``)."""
    st.subheader("Recent jobs")
    _jobs_table(key, limit)


@st.fragment(run_every=LIST_POLL_S)
def _jobs_table(key: str, limit: int) -> None:
    jobs = api.recent_jobs(limit)
    # a fresh widget after each pick: row positions shift as new jobs arrive, a kept selection would drift
    generation = st.session_state.get(f"{key}_generation", 0)
    event = st.dataframe(
        jobs,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key=f"{key}_{generation}",
        column_config={"progress": PROGRESS_COLUMN},
    )
    st.caption("Click a job's row to see its progress, log and settings.")
    table_download(jobs, "jobs", key=key)
    rows = event.selection.rows if event and hasattr(event, "selection") else []
    if rows:
        state.put(state.JOB, int(jobs.iloc[rows[0]]["id"]))
        st.session_state[f"{key}_generation"] = generation + 1
        st.rerun(scope="app")
