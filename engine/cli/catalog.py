"""`glimpse catalog ls|stats`: what the catalog holds, as rich tables."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from engine.cli.common import user_errors
from engine.errors import GlimpseError

catalog_app = typer.Typer(help="Browse the catalog: datasets and clips.", no_args_is_help=True)
out = Console()


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
) -> None:
    """List clips: dataset, subject, name, label, onset/apex/offset, frames, annotators."""
    from sqlalchemy import select

    from db.queries import ClipFilter, list_clips
    from db.schema import Dataset
    from db.session import default_url, session_factory

    with session_factory(default_url())() as session:
        ids: list[int] = []
        if dataset:
            found = session.scalar(select(Dataset.id).where(Dataset.name == dataset))
            if found is None:
                names = ", ".join(session.scalars(select(Dataset.name).order_by(Dataset.name))) or "none yet"
                raise GlimpseError(f"no dataset named {dataset!r}", hint=f"known: {names}")
            ids = [found]
        result = list_clips(
            session, ClipFilter(dataset_ids=ids, labels=[label] if label else []), page, limit
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
    for row in result.rows:
        table.add_row(*(_fmt(row[c]) for c in columns))
    out.print(table)


@catalog_app.command("stats")
@user_errors
def stats(
    as_json: bool = typer.Option(False, "--json", help="print JSON keyed by dataset name instead of a table"),
) -> None:
    """One row per dataset: purpose, synthetic flag, subjects, clips, videos (recordings), intervals,
    frames, fps, label counts."""
    from db.queries import dataset_stats, recording_stats
    from db.session import default_url, session_factory

    with session_factory(default_url())() as session:
        rows = dataset_stats(session)
        long = recording_stats(session)
    for s in rows:  # recordings (long videos) and the intervals coded inside them
        s.update(long.get(s["id"], {"videos": 0, "intervals": 0, "intervals_by_type": {}}))
    if as_json:
        typer.echo(json.dumps({s["name"]: s for s in rows}, indent=1, sort_keys=True))
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
        "fps",
        "labels",
    ):
        table.add_column(column, no_wrap=column in ("dataset", "format"))  # never cut what identifies it
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
            _fmt(s["fps"]),
            labels,
        )
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add `glimpse catalog ls|stats` to the app."""
    app.add_typer(catalog_app, name="catalog")
