"""`glimpse preprocess`: detect, align and crop every clip of a dataset into the face cache."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from engine.cli.common import user_errors

console = Console()


@user_errors
def preprocess(
    dataset: str = typer.Argument(None, help="Dataset name in the catalog (see `glimpse catalog`)."),
    size: int = typer.Option(64, "--size", help="Side of the square grayscale crop, pixels."),
    backend: str = typer.Option("auto", "--backend", help="auto | ground_truth | opencv | face_alignment"),
    no_track: bool = typer.Option(False, "--no-track", help="Re-detect on every frame instead of tracking."),
    backends: bool = typer.Option(False, "--backends", help="List face backends and why any is unavailable."),
) -> None:
    """Detect, align (eyes level) and crop the faces of every clip; re-running is a cache hit."""
    from engine.preprocess.detect import available_backends

    if backends:
        table = Table("backend", "status")
        for name, status in available_backends().items():
            table.add_row(name, status if status != "available" else "[green]available[/green]")
        console.print(table)
        return
    if not dataset:
        raise typer.BadParameter("give a DATASET name, or --backends")

    from sqlalchemy import select

    from db.schema import Dataset
    from db.session import session_scope
    from engine.errors import GlimpseError
    from engine.preprocess.cache import preprocess_dataset
    from engine.preprocess.config import PreprocessConfig
    from engine.progress import RichReporter

    cfg = PreprocessConfig(size=size, backend=backend, track=not no_track)
    with session_scope() as session:
        dataset_id = session.scalar(select(Dataset.id).where(Dataset.name == dataset))
        if dataset_id is None:
            names = ", ".join(session.scalars(select(Dataset.name).order_by(Dataset.name))) or "none"
            raise GlimpseError(f"no dataset named {dataset!r} in the catalog", hint=f"known: {names}")
        with RichReporter(f"preprocess {dataset}") as reporter:
            report = preprocess_dataset(session, dataset_id, cfg, reporter)
    used = ", ".join(f"{name} ({count} clips)" for name, count in report.backends.items()) or "none"
    console.print(f"backend: {used}")
    console.print(
        f"{report.n_done}/{report.n_clips} clips, {report.n_frames} frames, "
        f"cache hits {report.hits}/{report.n_done}, {report.seconds:.1f} s"
    )
    for clip_id, name, error in report.failures:
        console.print(f"[yellow]skipped[/yellow] clip {clip_id} {name}: {error}")
    if report.failures and report.n_done == 0:
        raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `glimpse` app."""
    app.command("preprocess")(preprocess)
