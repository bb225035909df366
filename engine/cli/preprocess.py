"""`glimpse preprocess`: detect, align and crop every clip of a dataset into the face cache."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from engine.cli.common import QueueOption, run_as_job, user_errors

console = Console()


@user_errors
def preprocess(
    dataset: str = typer.Argument(None, help="Dataset name in the catalog (see `glimpse catalog`)."),
    size: int = typer.Option(64, "--size", help="Side of the square grayscale crop, pixels."),
    backend: str = typer.Option("auto", "--backend", help="auto | ground_truth | opencv | face_alignment"),
    no_track: bool = typer.Option(False, "--no-track", help="Re-detect on every frame instead of tracking."),
    backends: bool = typer.Option(False, "--backends", help="List face backends and why any is unavailable."),
    queue: QueueOption = False,
) -> None:
    """Detect, align (eyes level) and crop the faces of every clip; re-running is a cache hit.

    Runs as a job (inline here, or on a worker with --queue), listed with its log on the Train page."""
    from engine.preprocess.detect import available_backends

    if backends:
        table = Table("backend", "status")
        for name, status in available_backends().items():
            table.add_row(name, status if status != "available" else "[green]available[/green]")
        console.print(table)
        return
    if not dataset:
        raise typer.BadParameter("give a DATASET name, or --backends")

    params = {"dataset": dataset, "size": size, "backend": backend, "track": not no_track}
    result = run_as_job("preprocess", params, queue, f"preprocess {dataset}")
    if result is None:
        return
    report = result["preprocessed"]
    used = ", ".join(f"{name} ({count} clips)" for name, count in report["backends"].items()) or "none"
    console.print(f"backend: {used}")
    console.print(
        f"{report['n_done']}/{report['n_clips']} clips, {report['n_frames']} frames, "
        f"cache hits {report['hits']}/{report['n_done']}, {report['seconds']:.1f} s"
    )
    for failure in report["failures"]:  # "clip id · name · error"
        console.print(f"[yellow]skipped[/yellow] clip {failure}")
    if report["failures"] and report["n_done"] == 0:
        raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `glimpse` app."""
    app.command("preprocess")(preprocess)
