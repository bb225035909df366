"""Export formats by name: ``@export_format("ststnet")`` on a writer; the CLI and UI list this registry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from engine.export.inputs import ExportSet
from engine.registry import Registry

Writer = Callable[[ExportSet, Path], None]  # writes the format's files under the (empty) folder
EXPORT_FORMATS: Registry[Writer] = Registry("export format")
export_format = EXPORT_FORMATS.register
