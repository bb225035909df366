"""`glimpse export RUN_ID --out DIR`: copy a run's MEGC 2019 log and predictions CSV out of Glimpse's home.

(``glimpse export-inputs``, in ``export_inputs.py``, is the other export: a dataset's prepared inputs for
public recognisers.)
"""

from __future__ import annotations

import shutil
from pathlib import Path

import typer
from rich.console import Console

from db.queries import artifacts_of_kind
from db.session import session_scope
from engine.cli.common import user_errors
from engine.errors import GlimpseError
from engine.paths import glimpse_home, resolve_within

console = Console()

RUN_FILES = ("megc_log", "predictions_csv")  # the artefact kinds a run's export copies


def export(
    run_id: str = typer.Argument(..., help="a run with predictions (train run or ablation child)"),
    out: Path = typer.Option(..., "--out", help="folder to copy the MEGC log and predictions CSV into"),
) -> None:
    """Copy a run's MEGC 2019 log and predictions CSV to a folder of your choice."""
    with session_scope() as session:
        paths = [art.path for art in artifacts_of_kind(session, RUN_FILES, run_id)]
    if not paths:
        raise GlimpseError(
            f"run {run_id} has no MEGC log or predictions", hint="pass a train/ablation child run id"
        )
    out.mkdir(parents=True, exist_ok=True)
    for path in paths:
        src = resolve_within(glimpse_home(), path)
        dest = out / f"{run_id}-{src.name}"
        shutil.copyfile(src, dest)
        console.print(f"wrote {dest}")


def register(app: typer.Typer) -> None:
    """Add `glimpse export`."""
    app.command("export")(user_errors(export))
