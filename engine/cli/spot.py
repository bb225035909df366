"""`glimpse spot-eval` (score any spotter's intervals the MEGC way) and `glimpse spot` (run a spotter)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from engine.cli.common import QueueOption, run_as_job, user_errors
from engine.errors import GlimpseError
from engine.spotting import SPOTTERS, describe
from engine.spotting.intervals import Interval, read_intervals_file, with_types
from engine.spotting.log import check_log_path, write_spotting_log
from engine.spotting.metrics import DEFAULT_MATCHING, MATCHINGS, Counts, evaluate_spotting
from engine.spotting.strs import DEFAULT_STRS_MODE, STRS_MODES, score_str

out = Console()


def _typed_consistently(truths: list[Interval], preds: list[Interval]) -> None:
    """Each type is scored within itself, so a typed side against untyped rows would score nothing."""
    typed = {name: {bool(i.type) for i in rows} for name, rows in (("truth", truths), ("prediction", preds))}
    if len(typed["truth"] | typed["prediction"]) > 1:
        raise GlimpseError(
            "some intervals have a type (micro/macro) and some do not; each type is scored within itself",
            hint="give --fps to type the untyped rows by duration, or type every row",
        )


def _counts_table(title: str, rows: list[tuple[str, Counts]]) -> Table:
    table = Table("scope", "tp", "fp", "fn", "precision", "recall", "f1", title=title)
    for scope, c in rows:
        table.add_row(
            scope, str(c.tp), str(c.fp), str(c.fn), *(f"{v:.4f}" for v in (c.precision, c.recall, c.f1))
        )
    return table


def print_str_report(s: dict[str, Any]) -> None:
    """STRS beside the recognition figures (``StrReport.to_dict``), each under its own name; ``glimpse
    spot --recognise`` prints the same."""
    out.print(
        f"spot-then-recognise ({s['mode_label']}), {int(s['n_analysed'])} spotted TPs analysed:",
        soft_wrap=True,
    )
    out.print(
        f"  STRS {s['strs']:.4f} = spotting F1 {s['spotting_f1']:.4f} "
        f"(TP {int(s['spotting_tp'])}, FP {int(s['spotting_fp'])}, FN {int(s['spotting_fn'])}) "
        f"× analysis F1 {s['analysis_f1']:.4f} (harmonic mean of macro-precision "
        f"{s['analysis_macro_precision']:.4f} and macro-recall {s['analysis_macro_recall']:.4f})",
        soft_wrap=True,
    )
    line = f"  beside it, not part of STRS: UF1 {s['uf1']:.4f} (mean per-emotion F1), UAR {s['uar']:.4f}"
    if "strs_metric_uar" in s:
        line += f"; STRS-Metric's printed 'UAR' (mean precision) {s['strs_metric_uar']:.4f}"
    out.print(line, soft_wrap=True)


@user_errors
def spot_eval(
    truth: Path = typer.Argument(
        ..., help="Ground truth CSV: video,onset,offset[,type][,emotion][,subject]."
    ),
    pred: Path = typer.Argument(
        ..., help="Predicted intervals CSV: video,onset,offset[,type][,emotion][,subject]."
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print tp, fp, fn, precision, recall, f1, by_type (, str)."
    ),
    fps: float | None = typer.Option(
        None, "--fps", help="Type untyped rows by duration at this fps (micro ≤ 0.5 s), else overall only."
    ),
    matching: str = typer.Option(
        DEFAULT_MATCHING,
        "--matching",
        help="megc2020: the official MEGC2020 rule (TP = truths found); "
        "one_to_one: strict one-to-one pairing — not the MEGC figure.",
    ),
    log: Path | None = typer.Option(
        None, "--log", help="Also write the MEGC log (the organisers' format) here."
    ),
    megc_dataset: int = typer.Option(
        1, "--megc-dataset", help="The log's dataset number: 1 SAMM Long Videos, 2 CAS(ME)² (theirs)."
    ),
    strs_mode: str = typer.Option(
        DEFAULT_STRS_MODE,
        "--strs-mode",
        help="With emotion columns: rule (STRS as STRS-Metric states it) or strs_metric_code "
        "(compatibility: what its code computes).",
    ),
) -> None:
    """Score predicted intervals against the truth as the MEGC2020 organisers' evaluator does, and
    spot-then-recognise (STRS, UF1, UAR) when both CSVs carry an emotion column."""
    if matching not in MATCHINGS:
        raise GlimpseError(f"unknown --matching {matching!r}", hint=f"one of {', '.join(MATCHINGS)}")
    if strs_mode not in STRS_MODES:
        raise GlimpseError(f"unknown --strs-mode {strs_mode!r}", hint=f"one of {', '.join(STRS_MODES)}")
    if log is not None:
        check_log_path(log)
    truth_file, pred_file = read_intervals_file(truth), read_intervals_file(pred)
    if truth_file.has_subject != pred_file.has_subject:
        raise GlimpseError(
            "only one CSV has a subject column: videos are keyed by subject + video in both or neither",
            where=str(truth if not truth_file.has_subject else pred),
        )
    truths, preds = truth_file.intervals, pred_file.intervals
    if fps is not None:
        truths, preds = with_types(truths, fps), with_types(preds, fps)
    _typed_consistently(truths, preds)
    report = evaluate_spotting(truths, preds, matching)
    recognition = (
        score_str(truths, preds, strs_mode) if truth_file.has_emotion and pred_file.has_emotion else None
    )
    if log is not None:
        write_spotting_log(log, report, megc_dataset)
    if as_json:
        data = report.to_dict()
        if recognition is not None:
            data["str"] = recognition.to_dict()
        typer.echo(json.dumps(data, indent=2))
        return
    out.print(_counts_table("spotting, IoU ≥ 0.5", [("overall", report.overall), *report.by_type.items()]))
    out.print(f"matching: {MATCHINGS[report.matching]}", soft_wrap=True)
    if recognition is not None:
        print_str_report(recognition.to_dict())


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
    if "str" in m:
        print_str_report(m["str"])
    out.print(f"artefacts: {summary['folder']}")


def register(app: typer.Typer) -> None:
    """Add `glimpse spot` and `glimpse spot-eval` to the app."""
    app.command("spot")(spot)
    app.command("spot-eval")(spot_eval)
