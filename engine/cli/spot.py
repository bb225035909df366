"""`glimpse spot-eval` (score any spotter's intervals the MEGC way) and `glimpse spot` (run a spotter)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from engine.cli.common import user_errors

out = Console()


@user_errors
def spot_eval(
    truth: Path = typer.Argument(..., help="Ground truth CSV: video,onset,offset[,type]."),
    pred: Path = typer.Argument(..., help="Predicted intervals CSV: video,onset,offset[,type]."),
    as_json: bool = typer.Option(False, "--json", help="Print tp, fp, fn, precision, recall, f1, by_type."),
    fps: float | None = typer.Option(
        None, "--fps", help="Type untyped rows by duration at this fps (micro ≤ 0.5 s), else overall only."
    ),
    log: Path | None = typer.Option(None, "--log", help="Also write the MEGC spotting log here."),
) -> None:
    """Score predicted intervals against the truth: TP when IoU ≥ 0.5 with a not-yet-matched truth."""
    from engine.spotting.intervals import read_intervals_csv, with_types
    from engine.spotting.log import write_spotting_log
    from engine.spotting.metrics import evaluate_spotting

    truths, preds = read_intervals_csv(truth), read_intervals_csv(pred)
    if fps is not None:
        truths, preds = with_types(truths, fps), with_types(preds, fps)
    report = evaluate_spotting(truths, preds)
    if log is not None:
        write_spotting_log(log, report)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    table = Table("scope", "tp", "fp", "fn", "precision", "recall", "f1", title="MEGC spotting (IoU ≥ 0.5)")
    rows = [("overall", report.overall), *report.by_type.items()]
    for scope, c in rows:
        table.add_row(
            scope, str(c.tp), str(c.fp), str(c.fn), *(f"{v:.4f}" for v in (c.precision, c.recall, c.f1))
        )
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add `glimpse spot-eval` to the app."""
    app.command("spot-eval")(spot_eval)
