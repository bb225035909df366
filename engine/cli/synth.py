"""`glimpse synth`: generate the synthetic FACS corpus (CASME II + CK+ layouts) and ingest it."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from engine.cli.common import QueueOption, run_as_job, user_errors
from engine.paths import synthetic_dir
from engine.synth.config import SynthConfig

console = Console()


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `glimpse` app."""
    app.command(name="synth")(synth)


@user_errors
def synth(
    out: Path | None = typer.Option(
        None, "--out", help="Folder to write the corpus to (default: GLIMPSE_HOME/datasets/synthetic)."
    ),
    seed: int = typer.Option(0, "--seed", help="Random seed; the same seed gives the same corpus."),
    tiny: bool = typer.Option(
        False, "--tiny", help="A few-second corpus for tests (4 subjects, 12 ME clips)."
    ),
    subjects: int | None = typer.Option(None, "--subjects", help="Number of ME subjects (default 26)."),
    clips: int | None = typer.Option(
        None, "--clips", help="Number of ME clips, split in CASME II's class proportions (default 150)."
    ),
    workers: int | None = typer.Option(None, "--workers", help="Rendering processes (default 2)."),
    long_videos: bool | None = typer.Option(
        None,
        "--long-videos/--no-long-videos",
        help="Add long videos for spotting (CAS(ME)² layout 30 fps, SAMM-LV-like 200 fps); "
        "on by default, off with --tiny unless asked for.",
    ),
    ingest: bool = typer.Option(
        True, "--ingest/--no-ingest", help="Load the corpus into the catalog after writing it."
    ),
    queue: QueueOption = False,
) -> None:
    """Generate the synthetic micro-expression corpus and (by default) ingest it.

    Parametric faces deformed by FACS action units, in the real dataset layouts:

    - casme2/: ME clips at 200 fps (CASME II layout + coding .xlsx)

    - ckplus/: macro-expression sequences (CK+ layout + Emotion files)

    - faces/unlabelled/: still faces for stage-1 reconstruction

    - casme_sq/, samm_lv/: long videos for spotting (CAS(ME)² layout at 30 fps,
    SAMM Long Videos layout at 200 fps), ground truth in the releases' code files

    Ground-truth boxes and 68 landmarks sit beside the frames
    (glimpse_landmarks.json); manifest.json holds the generator's ground truth.
    The same --seed gives the same bytes. An existing corpus at --out is replaced.
    Runs as a job (inline here, or on a worker with --queue), listed with its log on the Train page.
    """
    if tiny:
        cfg = SynthConfig.tiny_long(seed=seed) if long_videos else SynthConfig.tiny(seed=seed)
    else:
        cfg = SynthConfig(seed=seed)
    changes: dict[str, Any] = {}
    if subjects is not None:
        changes["n_subjects"] = subjects
    if clips is not None:
        changes["n_me_clips"] = clips
    if clips is not None and clips != cfg.n_me_clips:
        cfg = dataclasses.replace(cfg, emotion_counts=None)  # CASME II proportions for the new size
    if workers is not None:
        changes["workers"] = workers
    if long_videos is False:
        changes["long_subjects"] = 0
    cfg = dataclasses.replace(cfg, **changes)
    out_dir = (out or synthetic_dir()).resolve()
    params = {**dataclasses.asdict(cfg), "out_dir": str(out_dir), "ingest": ingest}
    result = run_as_job("synth", params, queue, "synth")
    if result is None:
        return
    made = result["generated"]
    console.print(
        f"wrote {made['n_me_clips']} ME clips ({made['n_me_subjects']} subjects), "
        f"{made['n_macro_sequences']} CK+ sequences ({made['n_labelled_sequences']} labelled), "
        f"{made['n_face_images']} faces, {made.get('n_long_videos', 0)} long videos, "
        f"{made['n_frames']} images to {out_dir}"
    )
    for report in result.get("ingested", []):
        issues = f", {report['n_issues']} issues" if report["n_issues"] else ""
        intervals = f", {report['n_intervals']} intervals" if report.get("n_recordings") else ""
        console.print(
            f"ingested {report['dataset_name']}: {report['n_clips']} clips, {report['n_frames']} frames, "
            f"{report['n_subjects']} subjects{intervals}{issues}"
        )
