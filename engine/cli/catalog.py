"""`glimpse catalog ls|stats|delete`: what the catalog holds, as rich tables; deleting is explicit.

Clips gone from their source are shown as MISSING (kept with their annotations and predictions).
"""

from __future__ import annotations

import json
from datetime import datetime

import typer
from rich.console import Console
from rich.table import Table

from db import queries
from db.queries import ClipFilter, dataset_stats, list_clips, recording_stats
from db.session import default_url, session_factory
from engine.cli.common import user_errors
from engine.ingest.removal import delete_from_catalog

catalog_app = typer.Typer(
    help="Browse the catalog: datasets and clips; delete on request.", no_args_is_help=True
)
out = Console()
MISSING = "MISSING"


def _fmt(value: object) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


@catalog_app.command("ls")
@user_errors
def ls(
    dataset: str | None = typer.Option(None, "--dataset", "-d", help="only this dataset (by name)"),
    label: str | None = typer.Option(None, "--label", "-l", help="only this label (negative, positive, …)"),
    limit: int = typer.Option(50, "--limit", "-n", min=1, help="show at most this many clips"),
    page: int = typer.Option(0, "--page", min=0, help="page number (of --limit clips each)"),
    missing: bool | None = typer.Option(
        None, "--missing/--present", help="only clips missing from their source / only present ones"
    ),
) -> None:
    """List clips: dataset, subject, name, label, onset/apex/offset, frames, annotators, MISSING."""

    with session_factory(default_url())() as session:
        ids: list[int] = []
        if dataset:
            ids = [queries.dataset_named(session, dataset).id]
        result = list_clips(
            session,
            ClipFilter(dataset_ids=ids, labels=[label] if label else [], missing=missing),
            page,
            limit,
        )
    table = Table(title=f"clips {page * limit + 1}–{page * limit + len(result.rows)} of {result.total}")
    columns = (
        "id",
        "dataset",
        "subject",
        "name",
        "label",
        "emotion_raw",
        "onset",
        "apex",
        "offset",
        "n_frames",
        "n_annotators",
    )
    for column in columns:
        longest = max((len(_fmt(r[column])) for r in result.rows), default=0)
        keep = column in ("name", "dataset", "subject")  # never cut what identifies a clip
        table.add_column(column, no_wrap=keep, min_width=longest if keep else None)
    missing_since = [r["missing_since"] for r in result.rows]
    if any(missing_since):  # clips gone from the source, kept with their annotations and predictions
        table.add_column("missing since", no_wrap=True, min_width=len(MISSING) + 17)
    for row, since in zip(result.rows, missing_since, strict=True):
        cells = [_fmt(row[c]) for c in columns]
        table.add_row(*cells, *([_missing(since)] if any(missing_since) else []))
    out.print(table)


def _missing(since: datetime | None) -> str:
    return f"[bold red]{MISSING}[/bold red] {since:%Y-%m-%d %H:%M}" if since is not None else ""


@catalog_app.command("stats")
@user_errors
def stats(
    as_json: bool = typer.Option(False, "--json", help="print JSON keyed by dataset name instead of a table"),
) -> None:
    """One row per dataset: purpose, synthetic flag, subjects, clips, videos (recordings), intervals,
    frames, fps, label counts."""
    with session_factory(default_url())() as session:
        rows = dataset_stats(session)
        long = recording_stats(session)
    for s in rows:  # recordings (long videos) and the intervals coded inside them
        s.update(long.get(s["id"], {"videos": 0, "intervals": 0, "intervals_by_type": {}}))
    if as_json:
        typer.echo(json.dumps({s["name"]: s for s in rows}, indent=1, sort_keys=True, default=str))
        return
    table = Table(title="catalog")
    for column in (
        "dataset",
        "format",
        "purpose",
        "synthetic",
        "subjects",
        "clips",
        "videos",
        "intervals",
        "frames",
        "missing",
        "fps",
        "labels",
    ):
        table.add_column(column, no_wrap=column in ("dataset", "format"))  # never cut what names a dataset
    for s in rows:
        labels = ", ".join(f"{k} {v}" for k, v in s["labels"].items())
        table.add_row(
            s["name"],
            s["format"],
            s["purpose"],
            "SYNTHETIC" if s["is_synthetic"] else "real",
            str(s["subjects"]),
            str(s["clips"]),
            str(s["videos"]),
            str(s["intervals"]),
            str(s["frames"]),
            f"[bold red]{s['missing']}[/bold red]" if s["missing"] else "0",
            _fmt(s["fps"]),
            labels,
        )
    out.print(table)


@catalog_app.command("delete")
@user_errors
def delete(
    dataset: str = typer.Argument(..., help="the dataset's catalog name"),
    clip: str | None = typer.Option(None, "--clip", "-c", help="delete only this clip (by name)"),
    subject: str | None = typer.Option(None, "--subject", "-s", help="the clip's subject, when names repeat"),
    archive_runs: bool = typer.Option(
        False, "--archive-runs", help="archive the runs that reference it (else the delete refuses)"
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help="do not ask for confirmation"),
) -> None:
    """Delete a dataset or one clip from the catalog (frames, annotations, face-crop rows; never files).

    Refuses while runs reference it, naming them; with --archive-runs those runs become `archived`
    (folder, metrics and predictions.csv kept; their catalog predictions removed) and are listed.
    """
    target = f"clip {clip!r} of dataset {dataset!r}" if clip else f"dataset {dataset!r}"
    if not yes and not typer.confirm(f"delete {target} from the catalog?"):
        raise typer.Exit(1)
    with session_factory(default_url())() as session:
        done = delete_from_catalog(session, dataset, clip, subject, archive_runs)
    out.print(
        f"deleted {done.what}: {done.n_clips} clip(s), {done.n_frames} frame(s), "
        f"{done.n_annotations} annotation(s)",
        highlight=False,
    )
    for run_id in done.archived_runs:
        out.print(
            f"[yellow]archived run {run_id}[/yellow] (its folder keeps predictions.csv)", highlight=False
        )


def register(app: typer.Typer) -> None:
    """Add `glimpse catalog ls|stats|delete` to the app."""
    app.add_typer(catalog_app, name="catalog")
