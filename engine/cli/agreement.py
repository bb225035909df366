"""`glimpse agreement --out FILE`: the Review page's FACS-grade agreement table, written as CSV headless
(for a paper's reliability figure, or a lab's weekly check) by the same engine function."""

from __future__ import annotations

from pathlib import Path

import typer

from engine import api
from engine.cli.common import user_errors


@user_errors
def agreement(
    out: Path = typer.Option(..., "--out", "-o", help="the CSV to write (its folder must exist)"),
    dataset: str | None = typer.Option(None, "--dataset", "-d", help="only this dataset's clips"),
    coders: str | None = typer.Option(
        None, "--coders", "-c", help="comma-separated annotators (default: every one but the consensus)"
    ),
    tolerance: int | None = typer.Option(
        None, "--tolerance", "-n", help="onset/apex/offset agree within ±N frames (default: ±25 ms at fps)"
    ),
) -> None:
    """Agreement per coder pair and overall (AU ratio, per-AU κ, timing within ±N, α) as CSV."""
    names = [n.strip() for n in coders.split(",") if n.strip()] if coders else None
    path = api.export_agreement(api.local_actor(), out, names, dataset, tolerance)
    typer.echo(f"wrote {path}")


def register(app: typer.Typer) -> None:
    """Add `glimpse agreement` to the app."""
    app.command("agreement")(agreement)
