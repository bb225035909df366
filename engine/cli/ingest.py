"""`glimpse ingest PATH`: read a dataset as distributed and write it to the catalog in one transaction."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from engine.cli.common import user_errors

out = Console()
FORMATS = "casme2|smic|samm|casme_sq|samm_lv|casme3|ckplus|folder|video"


@user_errors
def ingest(
    path: Path = typer.Argument(..., help="the dataset's root folder, exactly as distributed"),
    fmt: str | None = typer.Option(
        None, "--format", "-f", help=f"{FORMATS}; guessed from the files if omitted"
    ),
    name: str | None = typer.Option(None, "--name", "-n", help="catalog name (default: the folder's name)"),
    synthetic: bool = typer.Option(
        False, "--synthetic", help="mark the dataset as synthetic (not real data)"
    ),
) -> None:
    """Ingest a dataset (CASME II, SMIC, SAMM, CAS(ME)², CK+, a folder, videos + CSV) into the catalog.

    Rows that cannot be used are listed as `file, row N: reason`; the rest go in. Re-running is
    idempotent. Exit code 0 when something was ingested, 2 when nothing could be.
    """
    from db.session import default_url, session_factory
    from engine.ingest.catalog import ingest_dataset
    from engine.progress import RichReporter

    class BarOnly(RichReporter):
        def log(self, line: str) -> None:  # issues are printed once, under the summary table
            pass

    with session_factory(default_url())() as session, BarOnly(f"ingest {path.name}") as reporter:
        report = ingest_dataset(session, path, fmt=fmt, name=name, is_synthetic=synthetic, reporter=reporter)
    table = Table(title=f"ingested {report.dataset_name}")
    for column in (
        "dataset",
        "format",
        "purpose",
        "subjects",
        "clips",
        "frames",
        "labels",
        "new",
        "removed",
        "issues",
        "seconds",
    ):
        table.add_column(column)
    labels = ", ".join(f"{k} {v}" for k, v in report.label_counts.items())
    clips = str(report.n_clips)
    if report.n_recordings:  # long videos: say how many and how many intervals they hold
        clips += f" ({report.n_recordings} videos, {report.n_intervals} intervals)"
    table.add_row(
        report.dataset_name,
        report.format,
        report.purpose,
        str(report.n_subjects),
        clips,
        str(report.n_frames),
        labels,
        str(report.n_new),
        str(report.n_removed),
        str(len(report.issues)),
        f"{report.seconds:.2f}",
    )
    out.print(table)
    for issue in report.issues:
        out.print(f"[yellow]{issue}[/yellow]", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add `glimpse ingest` to the app."""
    app.command("ingest")(ingest)
