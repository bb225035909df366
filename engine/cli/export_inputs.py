"""`glimpse export-inputs`: a dataset's flow inputs in STSTNet / HTNet / CausalNet layouts, LOSO folds."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from engine.api.export import ExportOptions, export_formats
from engine.api.export import export_inputs as run_export
from engine.cli.common import user_errors
from engine.preprocess.backends import backend_names
from engine.preprocess.config import PreprocessConfig
from engine.preprocess.registry import FLOW_METHODS
from engine.progress import RichReporter

console = Console()


@user_errors
def export_inputs(
    dataset: str = typer.Argument(..., help="Dataset name in the catalog."),
    fmt: str = typer.Option(..., "--format", "-f", help=" | ".join(export_formats())),
    out: Path = typer.Option(..., "--out", "-o", help="New (or empty) folder to write."),
    flow: str = typer.Option("tvl1", "--flow", help=" | ".join(FLOW_METHODS)),
    size: int = typer.Option(PreprocessConfig.size, "--size", help="Face crop side the flow is computed on."),
    backend: str = typer.Option("auto", "--backend", help=" | ".join(backend_names())),
) -> None:
    """Write the u / v / strain 28×28 inputs, label CSVs and LOSO folder trees the format's code reads."""
    options = ExportOptions(flow_method=flow, crop=PreprocessConfig(size=size, backend=backend))
    with RichReporter(f"export {dataset}") as reporter:
        report = run_export(dataset, fmt, out, options, reporter)
    label = " (SYNTHETIC data)" if report.synthetic else ""
    console.print(
        f"{report.format}: {report.clips} clips, {report.folds} LOSO folds, faces by {report.face_backend}"
        f" → {report.out}{label}"
    )


def register(app: typer.Typer) -> None:
    """Add `glimpse export-inputs` to the app."""
    app.command("export-inputs")(export_inputs)
