"""`glimpse preprocess`: detect, align and crop every clip of a dataset into the face cache."""

from __future__ import annotations

import json
from dataclasses import asdict

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from db.schema import Dataset
from db.session import session_scope
from engine.cli.common import user_errors
from engine.errors import GlimpseError
from engine.preprocess.backends import available_backends, backend_names
from engine.preprocess.cache import PreprocessReport, frame_ranges, preprocess_dataset
from engine.preprocess.config import PreprocessConfig
from engine.progress import NullReporter, RichReporter

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
) -> None:
    """Detect, align (eyes level) and crop the faces of every clip; re-running is a cache hit.

    Per clip it reports the frames, the frames with a face and the frame numbers without one (the face
    left, turned away or was covered: those frames are blank in the crops, never cut from a stale box).
    """
    if backends:
        table = Table("backend", "status")
        for name, status in available_backends().items():
            table.add_row(name, status if status != "available" else "[green]available[/green]")
        console.print(table)
        return
    if not dataset:
        raise typer.BadParameter("give a DATASET name, or --backends")
    cfg = PreprocessConfig(size=size, backend=backend, track=not no_track, redetect_every=redetect_every)
    with session_scope() as session:
        dataset_id = session.scalar(select(Dataset.id).where(Dataset.name == dataset))
        if dataset_id is None:
            names = ", ".join(session.scalars(select(Dataset.name).order_by(Dataset.name))) or "none"
            raise GlimpseError(f"no dataset named {dataset!r} in the catalog", hint=f"known: {names}")
        if as_json:
            report = preprocess_dataset(session, dataset_id, cfg, NullReporter())
        else:
            with RichReporter(f"preprocess {dataset}") as reporter:
                report = preprocess_dataset(session, dataset_id, cfg, reporter)
    if as_json:
        typer.echo(json.dumps(report_json(report), indent=2))
    else:
        _print(report)
    if report.failures and report.n_done == 0:
        raise typer.Exit(2)


def report_json(report: PreprocessReport) -> dict[str, object]:
    """What ``--json`` prints: totals, the backend(s) that produced the crops, and every clip."""
    return {
        "dataset": report.dataset,
        "clips": [asdict(c) for c in report.clips],
        "backends": report.backends,
        "n_clips": report.n_clips,
        "n_done": report.n_done,
        "frames": report.n_frames,
        "no_face_frames": report.n_no_face,
        "cache_hits": report.hits,
        "failures": [{"clip_id": i, "name": n, "error": e} for i, n, e in report.failures],
        "seconds": round(report.seconds, 3),
    }


def _print(report: PreprocessReport) -> None:
    used = ", ".join(f"{name} ({count} clips)" for name, count in report.backends.items()) or "none"
    console.print(f"backend: {used}")
    lost = [c for c in report.clips if c.no_face_frames]
    if lost or len(report.clips) <= 20:
        table = Table("clip", "frames", "frames_with_face", "no_face_frames", "backend")
        for c in report.clips if len(report.clips) <= 20 else lost:
            table.add_row(
                c.name,
                str(c.frames),
                str(c.frames_with_face),
                frame_ranges(c.no_face_frames) or "-",
                c.backend,
            )
        console.print(table)
    console.print(
        f"{report.n_done}/{report.n_clips} clips, {report.n_frames} frames "
        f"({report.n_frames - report.n_no_face} with a face), "
        f"cache hits {report.hits}/{report.n_done}, {report.seconds:.1f} s"
    )
    if lost:
        console.print(f"[yellow]{len(lost)} clip(s) have frames without a face (blank in the crops)[/yellow]")
    for clip_id, name, error in report.failures:
        console.print(f"[yellow]skipped[/yellow] clip {clip_id} {name}: {error}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `glimpse` app."""
    app.command("preprocess")(preprocess)
