"""`glimpse preprocess`: detect, align and crop every clip of a dataset into the face cache."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from engine.cli.common import QueueOption, run_as_job, user_errors
from engine.preprocess.backends import available_backends, backend_names
from engine.preprocess.cache import frame_ranges
from engine.preprocess.config import PreprocessConfig

console = Console()


@user_errors
def preprocess(
    dataset: str = typer.Argument(None, help="Dataset name in the catalog (see `glimpse catalog`)."),
    size: int = typer.Option(64, "--size", help="Side of the square grayscale crop, pixels."),
    backend: str = typer.Option("auto", "--backend", help=" | ".join(backend_names())),
    no_track: bool = typer.Option(False, "--no-track", help="Re-detect on every frame instead of tracking."),
    redetect_every: int = typer.Option(
        PreprocessConfig.redetect_every, "--redetect-every", help="Tracking re-runs the detector this often."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the per-clip report as JSON."),
    backends: bool = typer.Option(False, "--backends", help="List face backends and why any is unavailable."),
    queue: QueueOption = False,
) -> None:
    """Detect, align (eyes level) and crop the faces of every clip; re-running is a cache hit.

    Per clip it reports the frames, the frames with a face and the frame numbers without one (the face
    left, turned away or was covered: those frames are blank in the crops, never cut from a stale box).
    Runs as a job (inline here, or on a worker with --queue), listed with its log on the Train page.
    """
    if backends:
        table = Table("backend", "status")
        for name, status in available_backends().items():
            table.add_row(name, status if status != "available" else "[green]available[/green]")
        console.print(table)
        return
    if not dataset:
        raise typer.BadParameter("give a DATASET name, or --backends")
    params = {
        "dataset": dataset,
        "size": size,
        "backend": backend,
        "track": not no_track,
        "redetect_every": redetect_every,
    }
    result = run_as_job("preprocess", params, queue, f"preprocess {dataset}", quiet=as_json)
    if result is None:
        return
    report = result["preprocessed"]
    if as_json:
        typer.echo(json.dumps(report, indent=2))
    else:
        _print(report)
    if report["failures"] and report["n_done"] == 0:
        raise typer.Exit(2)


def _print(report: dict[str, Any]) -> None:
    used = ", ".join(f"{name} ({count} clips)" for name, count in report["backends"].items()) or "none"
    console.print(f"backend: {used}")
    clips = report.get("clips", [])
    lost = [c for c in clips if c["no_face_frames"]]
    if lost or 0 < len(clips) <= 20:
        table = Table("clip", "frames", "frames_with_face", "no_face_frames", "backend")
        for c in clips if len(clips) <= 20 else lost:
            ranges = frame_ranges(c["no_face_frames"]) or "-"
            table.add_row(c["name"], str(c["frames"]), str(c["frames_with_face"]), ranges, c["backend"])
        console.print(table)
    console.print(
        f"{report['n_done']}/{report['n_clips']} clips, {report['n_frames']} frames "
        f"({report['n_frames'] - report.get('no_face_frames', 0)} with a face), "
        f"cache hits {report['hits']}/{report['n_done']}, {report['seconds']:.1f} s"
    )
    if lost:
        console.print(f"[yellow]{len(lost)} clip(s) have frames without a face (blank in the crops)[/yellow]")
    for failure in report["failures"]:  # "clip id · name · error"
        console.print(f"[yellow]skipped[/yellow] clip {failure}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `glimpse` app."""
    app.command("preprocess")(preprocess)
