"""Export formats by name: ``@register_export_format("ststnet")`` on a writer; the CLI and UI list them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from engine.export.inputs import ExportSet
from engine.registry import Registry

Writer = Callable[[ExportSet, Path], None]  # writes the format's files under the (empty) folder
EXPORT_FORMATS: Registry[Writer] = Registry("export format")


def register_export_format(name: str) -> Callable[[Writer], Writer]:
    """``@register_export_format("ststnet")`` on a writer."""
    return EXPORT_FORMATS.register(name)


def get_export_format(name: str) -> Writer:
    """The writer of format ``name``, or a GlimpseError naming the known formats."""
    return EXPORT_FORMATS.get_or_fail(name)
