"""Label-source commands. `glimpse evaluate RUN_ID --labels SOURCE`: a finished run's stored predictions
re-scored against another coding (only the clips that coding labels, counted), without retraining or
touching the run. `glimpse spotted-clips SPOT_RUN_ID`: the intervals accepted from a spotting run as
clips of ``<dataset>-spotted``, to code and then train / evaluate on with ``--labels``."""

from __future__ import annotations

import dataclasses
import json

import typer
from rich.console import Console

from engine import api
from engine.cli.common import user_errors

console = Console()


def evaluate(
    run_id: str = typer.Argument(
        ..., help="a finished train run or ablation child (its id on the Results page)"
    ),
    labels: str = typer.Option(
        "source",
        "--labels",
        help="the coding to score against: source | consensus | majority | annotator:NAME",
    ),
    as_json: bool = typer.Option(False, "--json", help="print the result as JSON"),
) -> None:
    """Re-score a run's stored predictions against a label source; prints UF1/UAR and the clips counted."""
    score = api.rescore_run(api.local_actor(), run_id, labels)
    if as_json:
        data = dataclasses.asdict(score)
        data["truth"] = {str(k): v for k, v in score.truth.items()}
        typer.echo(json.dumps(data, indent=2))
        return
    console.print(score.sentence(), highlight=False)


def spotted_clips(
    run_id: str = typer.Argument(..., help="a spotting run whose predicted intervals you accepted"),
) -> None:
    """Turn the intervals accepted from a spotting run into clips (dataset <dataset>-spotted)."""
    made = api.spotted_clips(api.local_actor(), run_id)
    console.print(
        f"{made.added} clip(s) added to {made.dataset} ({len(made.clip_ids)} from run {run_id}; "
        f"{made.matched} of the added hit a coded interval and carry its label as 'source'). "
        f"Code them on Annotate, then e.g. glimpse train --dataset {made.dataset} --labels majority",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `glimpse` app."""
    app.command("evaluate")(user_errors(evaluate))
    app.command("spotted-clips")(user_errors(spotted_clips))
