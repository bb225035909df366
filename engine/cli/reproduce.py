"""`glimpse reproduce RUN_ID`: re-run a stored run from its record; exit 1 and say where it differs."""

from __future__ import annotations

import typer
from rich.console import Console

from db.session import default_url
from engine.cli.common import user_errors
from engine.progress import RichReporter
from engine.train.reproduce import environment_line
from engine.train.reproduce import reproduce as run_reproduction

console = Console()


def reproduce(
    run_id: str = typer.Argument(
        ..., help="a train run, an ablation child, or an ablation (all its children)"
    ),
    max_differences: int = typer.Option(20, "--max-differences", help="differences listed per run"),
) -> None:
    """Re-run a stored run from its config and seed; compare metrics and predictions with the stored ones."""
    with RichReporter(f"reproduce {run_id}") as reporter:
        outcomes = run_reproduction(default_url(), run_id, reporter)
    failed = 0
    for r in outcomes:
        console.print(
            f"[bold]{r.run_id}[/bold] ({r.variant} seed {r.seed}, labels {r.labels}) re-run as {r.new_run_id}"
        )
        console.print(f"  recorded environment: {environment_line(r.environment_then)}")
        if r.environment_now != r.environment_then:
            console.print(f"  this environment:     {environment_line(r.environment_now)}")
        if r.catalog_changed:
            console.print(
                "  [yellow]the catalog changed since this run (clips, labels or annotations)[/yellow]"
            )
        if r.identical:
            console.print(f"  [green]identical[/green]: {r.n_metrics} metrics, {r.n_predictions} predictions")
            continue
        failed += 1
        console.print(f"  [red]DIFFERENT[/red]: {len(r.differences)} value(s) differ")
        for difference in r.differences[:max_differences]:
            console.print(
                f"    {difference.what} {difference.key}: stored {difference.stored}, now {difference.now}"
            )
        if len(r.differences) > max_differences:
            console.print(f"    … and {len(r.differences) - max_differences} more")
    if failed:
        console.print(f"[red]{failed} of {len(outcomes)} run(s) did not reproduce[/red]")
        raise typer.Exit(1)
    console.print(f"[green]all {len(outcomes)} run(s) reproduced exactly[/green]")


def register(app: typer.Typer) -> None:
    """Add `glimpse reproduce`."""
    app.command("reproduce")(user_errors(reproduce))
