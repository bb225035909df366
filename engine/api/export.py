"""Exporting a dataset's flow inputs for the field's public recognisers, with Glimpse's LOSO folds.

The folds come from training (``engine.train.loso.build_folds``: exactly the folds Glimpse's own runs
use); ``engine.export`` computes the inputs and writes the layouts.
"""

from __future__ import annotations

from pathlib import Path

from engine.api.session import get_session
from engine.export import EXPORT_FORMATS
from engine.export.inputs import ExportOptions
from engine.export.run import ExportReport
from engine.export.run import export_inputs as _write_export
from engine.labels import LABELS_ME
from engine.progress import Reporter
from engine.train.data import me_clips
from engine.train.loso import build_folds

__all__ = ["ExportOptions", "ExportReport", "export_formats", "export_inputs"]


def export_formats() -> list[str]:
    """The layouts ``export_inputs`` writes (its registry)."""
    return list(EXPORT_FORMATS)


def export_inputs(
    dataset: str,
    fmt: str,
    out: Path,
    options: ExportOptions = ExportOptions(),
    reporter: Reporter | None = None,
) -> ExportReport:
    """``fmt``'s layout of ``dataset``'s labelled ME clips under the new folder ``out`` (all or nothing)."""
    with get_session() as session:
        clips = me_clips(session, [dataset])
        folds = build_folds(clips, LABELS_ME) if clips else []
        return _write_export(session, dataset, fmt, Path(out), clips, folds, options, reporter)
