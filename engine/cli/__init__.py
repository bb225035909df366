"""The ``glimpse`` command: every long action of the workbench, headless.

Each sub-module owns one group of commands and exposes ``register(app)``.
"""

from __future__ import annotations

import typer

from engine.cli import (
    agreement,
    catalog,
    export_inputs,
    export_run,
    ingest,
    jobs,
    labels,
    people,
    preprocess,
    reproduce,
    serve,
    spot,
    synth,
    train,
)
from engine.provenance import code_version

app = typer.Typer(
    name="glimpse",
    help="Glimpse: micro-expression recognition workbench (synthetic corpus, ingest, training, jobs).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Glimpse: micro-expression recognition workbench (synthetic corpus, ingest, training, jobs)."""


for module in (
    synth,
    ingest,
    catalog,
    preprocess,
    export_inputs,
    train,
    export_run,
    labels,
    reproduce,
    spot,
    jobs,
    serve,
    people,
    agreement,
):
    module.register(app)


@app.command()
def version() -> None:
    """Print Glimpse's version and the code revision runs record."""
    typer.echo(code_version())


def main() -> None:
    app()
