"""Helpers every CLI module shares: turning GlimpseError into a clean message and exit code, and running
a long command as a job (``run_as_job``: the one way in the workbench uses too)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from functools import wraps
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from db.faults import faults_as_errors
from db.people import local_user_name
from db.session import default_url, session_factory
from engine.errors import GlimpseError
from engine.jobs import service
from engine.jobs.worker import alive_workers
from engine.progress import NullReporter, Reporter, RichReporter

P = ParamSpec("P")
R = TypeVar("R")
console = Console(stderr=True)

QueueOption = Annotated[
    bool,
    typer.Option(
        "--queue",
        help="Hand the job to a worker (`glimpse worker`) and print its id instead of running it here.",
    ),
]


def user_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Show a GlimpseError — or a fault of the catalog or the disk (busy, unreachable, no space: see
    ``db.faults``) — as one red line (no traceback) and exit with status 2."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            with faults_as_errors():
                return func(*args, **kwargs)
        except GlimpseError as error:
            console.print(f"[red]error:[/red] {error}")
            raise typer.Exit(2) from error

    return wrapper


def run_as_job(
    kind: str, params: dict[str, Any], queued: bool, title: str, show_log: bool = True, quiet: bool = False
) -> dict[str, Any] | None:
    """Run a long command through the job service, so it has a job row with progress and a log (the
    Train page lists it like one it started).

    By default the job runs here, inline, with a rich bar (log lines above it unless ``show_log`` is
    false; ``quiet``: no bar either, for machine-readable output); returns its result. ``queued``: queue
    it for a worker, print its id and return None.
    A handler's GlimpseError is recorded on the job and shown as usual; a cancel (from the page, or
    Ctrl-C) ends the job ``cancelled`` and exits with status 130.
    """
    if queued:
        with session_factory(default_url())() as session:
            job_id = service.submit(session, kind, params, submitted_by=local_user_name())
            workers = alive_workers(session)
        typer.echo(f"queued job {job_id} ({kind}); follow it with `glimpse jobs show {job_id}`")
        if not workers:
            typer.echo("no worker is running: start one with `glimpse worker`")
        return None
    try:
        display: AbstractContextManager[Reporter] = (
            nullcontext(NullReporter()) if quiet else RichReporter(title, show_log=show_log)
        )
        with display as bar:
            job = service.run_inline(kind, params, bar)
    except KeyboardInterrupt:
        console.print("[yellow]cancelled[/yellow]")
        raise typer.Exit(130) from None
    if job.status == "cancelled":
        console.print(f"[yellow]job {job.id} was cancelled[/yellow]")
        raise typer.Exit(130)
    if job.status != "succeeded":  # e.g. marked lost by a worker's sweep while this process stalled
        raise GlimpseError(
            f"job {job.id} ended {job.status}: {job.error or ''}".strip(), hint=f"glimpse jobs show {job.id}"
        )
    result: dict[str, Any] = dict(job.result or {})
    return result
