"""`glimpse worker` and `glimpse jobs …`: run workers, and list, inspect, submit, cancel, requeue jobs."""

from __future__ import annotations

import json
import time
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from db.schema import JOB_ACTIVE_STATES
from db.session import default_url, session_factory
from engine.cli.common import user_errors
from engine.config import settings
from engine.errors import GlimpseError
from engine.jobs import queue, service
from engine.jobs.executor_choice import NO_RAY_ADDRESS, get_executor
from engine.jobs.ray_executor import probe
from engine.jobs.worker import ensure_worker, run_worker
from engine.progress import RichReporter

jobs_app = typer.Typer(help="List, inspect, submit, cancel and requeue jobs.", no_args_is_help=True)
out = Console()


def _session() -> Any:
    return session_factory(default_url())()


def parse_params(pairs: list[str]) -> dict[str, Any]:
    """``key=value`` pairs → a dict; values are JSON when they parse (numbers, true, lists), else text."""
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise GlimpseError(f"bad --param {pair!r}", hint="write key=value, e.g. --param seconds=2")
        try:
            params[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            params[key.strip()] = raw
    return params


@user_errors
def worker(
    once: bool = typer.Option(False, "--once", help="Run at most one job, then exit."),
    max_jobs: int | None = typer.Option(None, "--max-jobs", help="Exit after this many jobs."),
    kind: list[str] | None = typer.Option(None, "--kind", help="Only claim jobs of this kind (repeatable)."),
    idle_exit: float | None = typer.Option(None, "--idle-exit", help="Exit after this many idle seconds."),
) -> None:
    """Run a job worker: claims queued jobs and runs each in its own process group."""
    ran = run_worker(once=once, max_jobs=max_jobs, kinds=kind or None, idle_exit_s=idle_exit)
    out.print(f"worker ran {ran} job(s)")


@jobs_app.command("ls")
@user_errors
def ls(
    status: str | None = typer.Option(None, "--status", help="Only jobs in this state."),
    limit: int = typer.Option(50, "--limit"),
) -> None:
    """List recent jobs, newest first."""
    table = Table("id", "kind", "status", "progress", "message", "created", "attempts")
    session = _session()
    queue.sweep_on_read(session)
    for job in queue.list_jobs(session, limit=limit, status=status):
        table.add_row(
            str(job.id),
            job.kind,
            job.status,
            f"{job.progress:.0%}",
            (job.message or "")[:60],
            f"{job.created_at:%Y-%m-%d %H:%M:%S}",
            str(job.attempts),
        )
    out.print(table)


@jobs_app.command("show")
@user_errors
def show(job_id: int, tail: int = typer.Option(40, "--tail", help="Log lines to show.")) -> None:
    """A job's state, parameters, result or error, and the tail of its log."""
    session = _session()
    queue.sweep_on_read(session)
    job = queue.get_job(session, job_id)
    out.print(f"[bold]job {job.id}[/bold] {job.kind} · {job.status} · {job.progress:.0%} {job.message}")
    out.print(f"params: {json.dumps(job.params)}")
    out.print(f"worker: {job.worker_id or '-'} · pid {job.pid or '-'} · attempts {job.attempts}")
    if job.error:
        out.print(f"[red]error:[/red] {job.error}")
    if job.result:
        out.print(f"result: {json.dumps(job.result)[:2000]}")
    for row in queue.job_logs(session, job_id, tail=tail):
        style = "red" if row.level == "error" else "dim"
        out.print(
            f"[{style}]{row.ts:%H:%M:%S} {row.level:<7}[/{style}] {row.line}", markup=True, highlight=False
        )


@jobs_app.command("cancel")
@user_errors
def cancel(job_id: int) -> None:
    """Cancel a job: a queued one at once, a running one by stopping its process group."""
    status = queue.request_cancel(_session(), job_id)
    out.print(f"job {job_id}: {status}" + (" (cancel requested)" if status == "running" else ""))


@jobs_app.command("requeue")
@user_errors
def requeue(job_id: int) -> None:
    """Queue a lost, failed or cancelled job again (a new job with the same parameters)."""
    new_id = queue.requeue(_session(), job_id)
    out.print(f"job {job_id} requeued as job {new_id}")


@jobs_app.command("submit")
@user_errors
def submit(
    kind: str,
    param: list[str] | None = typer.Option(None, "--param", "-p", help="key=value (JSON values allowed)."),
    wait: bool = typer.Option(
        False, "--wait", help="Watch it to the end (starts a worker if none is alive)."
    ),
    poll: float = typer.Option(0.5, "--poll", help="Seconds between polls while waiting."),
) -> None:
    """Queue a job of any registered kind (an unknown kind is refused with the list of known ones)."""
    session = _session()
    job_id = service.submit(session, kind, parse_params(param or []))
    out.print(f"queued job {job_id} ({kind})")
    if not wait:
        return
    pid = ensure_worker()
    if pid:
        out.print(f"started a worker (pid {pid})")
    try:
        with RichReporter(f"job {job_id} {kind}") as bar:
            while True:
                job = queue.get_job(session, job_id)
                bar.progress(job.progress, job.message or job.status)
                if job.status not in JOB_ACTIVE_STATES:
                    break
                time.sleep(poll)
    except KeyboardInterrupt:
        out.print(f"stopped watching; job {job_id} goes on (cancel it with `glimpse jobs cancel {job_id}`)")
        raise typer.Exit(130) from None
    if job.status != "succeeded":
        raise GlimpseError(
            f"job {job_id} {job.status}: {job.error or ''}".strip(), hint=f"glimpse jobs show {job_id}"
        )
    out.print(f"job {job_id} succeeded: {json.dumps(job.result)[:2000]}")


@jobs_app.command("check-executor")
@user_errors
def check_executor(tasks: int = typer.Option(4, "--tasks", help="How many probe tasks to run.")) -> None:
    """Run probe tasks on the configured executor (GLIMPSE_EXECUTOR, RAY_ADDRESS) and say where they ran."""
    config = settings()
    executor = get_executor(config)
    if executor.name != config.executor:
        out.print(NO_RAY_ADDRESS)
    table = Table("task", "host", "pid", "CUDA_VISIBLE_DEVICES")
    for answer in executor.map(probe, list(range(tasks))):
        table.add_row(str(answer["item"]), answer["host"], str(answer["pid"]), answer["gpus"] or "-")
    out.print(f"executor: {executor.name}" + (f" at {config.ray_address}" if config.ray_address else ""))
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add `glimpse worker` and the `glimpse jobs` group."""
    app.command("worker")(worker)
    app.add_typer(jobs_app, name="jobs")
