"""`glimpse ingest PATH`: read a dataset as distributed and write it to the catalog in one transaction."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from engine.cli.common import QueueOption, run_as_job, user_errors
from engine.ingest import READERS, get_reader

out = Console()


@user_errors
def ingest(
    path: Path = typer.Argument(..., help="the dataset's root folder, exactly as distributed"),
    fmt: str | None = typer.Option(
        None, "--format", "-f", help=f"{'|'.join(READERS)}; guessed from the files if omitted"
    ),
    name: str | None = typer.Option(None, "--name", "-n", help="catalog name (default: the folder's name)"),
    synthetic: bool | None = typer.Option(
        None,
        "--synthetic/--real",
        help="mark a new dataset synthetic (not real data) or real; a re-ingest keeps the stored flag",
    ),
    queue: QueueOption = False,
) -> None:
    """Ingest a dataset (CASME II, SMIC, SAMM, CAS(ME)², CK+, a folder, videos + CSV) into the catalog.

    Rows that cannot be used are listed as `file, row N: reason`; the rest go in. Every frame is decoded.
    Re-running is idempotent; clips gone from the source are marked missing (never deleted) and come back
    under the same id. Exit code 0 when something was ingested, 2 when nothing could be. Runs as a job
    (inline here, or on a worker with --queue), listed with its log on the Train page.
    """
    if fmt is not None:
        get_reader(fmt)  # an unknown format fails before any job exists
    params = {"root": str(path.resolve()), "format": fmt, "name": name, "synthetic": synthetic}
    result = run_as_job("ingest", params, queue, f"ingest {path.name}", show_log=False)
    if result is None:
        return
    report = result["ingested"]
    table = Table(title=f"ingested {report['dataset_name']}")
    for column in (
        "dataset",
        "format",
        "purpose",
        "subjects",
        "clips",
        "frames",
        "labels",
        "new",
        "missing",
        "restored",
        "issues",
        "seconds",
    ):
        table.add_column(column)
    labels = ", ".join(f"{k} {v}" for k, v in report["label_counts"].items())
    clips = str(report["n_clips"])
    if report.get("n_recordings"):  # long videos: say how many and how many intervals they hold
        clips += f" ({report['n_recordings']} videos, {report['n_intervals']} intervals)"
    table.add_row(
        report["dataset_name"],
        report["format"],
        report["purpose"],
        str(report["n_subjects"]),
        clips,
        str(report["n_frames"]),
        labels,
        str(report["n_new"]),
        str(report["n_missing"]),
        str(report["n_restored"]),
        str(report["n_issues"]),
        f"{report['seconds']:.2f}",
    )
    out.print(table)
    for issue in report["issues"]:
        out.print(f"[yellow]{issue}[/yellow]", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add `glimpse ingest` to the app."""
    app.command("ingest")(ingest)
