"""`glimpse evaluate RUN_ID --labels SOURCE`: a finished run's stored predictions re-scored against
another coding (only the clips that coding labels, counted), without retraining or touching the run."""

from __future__ import annotations

import dataclasses
import json

import typer
from rich.console import Console

from engine import api
from engine.cli.common import user_errors

console = Console()


def evaluate(
    run_id: str = typer.Argument(..., help="a finished train run or ablation child (glimpse runs)"),
    labels: str = typer.Option(
        "source",
        "--labels",
        help="the coding to score against: source | consensus | majority | annotator:NAME",
    ),
    as_json: bool = typer.Option(False, "--json", help="print the result as JSON"),
) -> None:
    """Re-score a run's stored predictions against a label source; prints UF1/UAR and the clips counted."""
    score = api.rescore_run(run_id, labels)
    if as_json:
        data = dataclasses.asdict(score)
        data["truth"] = {str(k): v for k, v in score.truth.items()}
        typer.echo(json.dumps(data, indent=2))
        return
    console.print(score.sentence(), highlight=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `glimpse` app."""
    app.command("evaluate")(user_errors(evaluate))
