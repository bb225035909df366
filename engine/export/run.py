"""``export_inputs``: build the inputs once, write one format's layout atomically, report what was written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from db.queries import dataset_named
from engine.export.formats import FORMAT_IMAGES
from engine.export.inputs import ExportOptions, build_export
from engine.export.layout import check_out, staged, write_manifest
from engine.export.registry import get_export_format
from engine.progress import Reporter
from engine.variants.contract import ClipInfo, FoldSpec


@dataclass(frozen=True)
class ExportReport:
    out: Path
    format: str
    clips: int
    folds: int
    synthetic: bool
    face_backend: str


def export_inputs(
    session: Session,
    dataset: str,
    fmt: str,
    out: Path,
    clips: list[ClipInfo],
    folds: list[FoldSpec],
    options: ExportOptions = ExportOptions(),
    reporter: Reporter | None = None,
) -> ExportReport:
    """Write ``fmt``'s layout of ``clips`` (with ``folds``) under the new folder ``out``, all or nothing."""
    writer = get_export_format(fmt)
    check_out(out, Path(dataset_named(session, dataset).root))
    export = build_export(session, dataset, clips, folds, options, reporter)
    with staged(out) as root:
        writer(export, root)
        write_manifest(root, export, fmt, FORMAT_IMAGES[fmt])
    return ExportReport(
        Path(out), fmt, len(export.clips), len(export.folds), export.is_synthetic, export.backend
    )
