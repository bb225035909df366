"""`glimpse spot-eval` (score any spotter's intervals the MEGC way) and `glimpse spot` (run a spotter)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from engine.cli.common import QueueOption, run_as_job, user_errors
from engine.spotting import SPOTTERS, describe
from engine.spotting.intervals import read_intervals_csv, with_types
from engine.spotting.log import write_spotting_log
from engine.spotting.metrics import evaluate_spotting

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


@user_errors
def spot(
    dataset: str = typer.Argument(None, help="Dataset name in the catalog with long videos (recordings)."),
    method: str = typer.Option("fd", "--method", "-m", help="Spotting method (see --methods)."),
    methods: bool = typer.Option(False, "--methods", help="List the spotting methods and exit."),
    seed: int = typer.Option(0, "--seed", help="Seed (the learned spotter's negative sampling)."),
    recognise: str | None = typer.Option(
        None, "--recognise", help="A finished train/ablation child run: label the spotted TPs, report STRS."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the run's summary as JSON."),
    queue: QueueOption = False,
) -> None:
    """Spot micro- and macro-expressions in every long video, LOSO over subjects, and store the run.

    Runs as a job (inline here, or on a worker with --queue), listed with its log on the Train page."""
    if methods:
        for name in SPOTTERS:
            out.print(f"[bold]{name}[/bold]  {describe(name)}")
        return
    if not dataset:
        raise typer.BadParameter("give a DATASET name, or --methods")
    params: dict[str, Any] = {"dataset": dataset, "method": method, "seed": seed}
    if recognise:
        params["recognition_run"] = recognise
    summary = run_as_job("spot", params, queue, f"spot {dataset} ({method})", show_log=not as_json)
    if summary is None:
        return
    m = summary["metrics"]
    if as_json:
        typer.echo(json.dumps({**m, "run_id": summary["run_id"], "synthetic": summary["synthetic"]}))
        return
    tag = " [yellow]SYNTHETIC[/yellow]" if summary["synthetic"] else ""
    out.print(
        f"run {summary['run_id']}: {summary['n_videos']} videos, F1 {m['f1']:.4f} "
        f"(TP {m['tp']}, FP {m['fp']}, FN {m['fn']}){tag}"
    )
    for kind, c in m["by_type"].items():
        out.print(f"  {kind}: F1 {c['f1']:.4f} (TP {c['tp']}, FP {c['fp']}, FN {c['fn']})")
    if "strs" in m:
        s = m["strs"]
        out.print(
            f"  spot-then-recognise: recognition F1 {s['recognition_f1']:.4f} on {s['n_recognised']} TPs, "
            f"STRS {s['strs']:.4f}"
        )
    out.print(f"artefacts: {summary['folder']}")


def register(app: typer.Typer) -> None:
    """Add `glimpse spot` and `glimpse spot-eval` to the app."""
    app.command("spot")(spot)
    app.command("spot-eval")(spot_eval)
