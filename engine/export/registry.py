"""Export formats by name: ``@export_format("ststnet")`` on a writer; the CLI and UI list this registry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from engine.export.inputs import ExportSet

Writer = Callable[[ExportSet, Path], None]  # writes the format's files under the (empty) folder
EXPORT_FORMATS: dict[str, Writer] = {}


def export_format(name: str) -> Callable[[Writer], Writer]:
    def decorate(writer: Writer) -> Writer:
        EXPORT_FORMATS[name] = writer
        return writer

    return decorate
