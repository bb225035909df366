"""Writing an export: flow PNGs, LOSO folder trees, label CSVs, a manifest — all or nothing.

Everything is written into a temporary folder beside ``out`` and renamed into place at the end, so a
failure (no face in an apex frame, a full disk) leaves no half-written export behind.
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import cv2
import numpy as np

from engine.errors import GlimpseError
from engine.export.inputs import IMAGE_MEANING, ExportClip, ExportSet
from engine.labels import LABELS_ME
from engine.provenance import code_version

MANIFEST = "glimpse_export.json"


def write_flow_png(path: Path, image: np.ndarray) -> None:
    """A (H, W, 3) u, v, strain image as an RGB PNG (R = u, G = v, B = strain); cv2 writes BGR."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), np.ascontiguousarray(image[:, :, ::-1])):
        raise GlimpseError("cannot write image", where=str(path))


def write_gray(path: Path, image: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), image):
        raise GlimpseError("cannot write image", where=str(path))


def loso_tree(root: Path, export: ExportSet, image_name: Callable[[ExportClip], str]) -> None:
    """``root/<test subject>/u_train|u_test/<label index>/<image>``: one folder per LOSO fold.

    The layout STSTNet, HTNet and CausalNet read with ``os.listdir``; the folds are Glimpse's (the test
    subject's clips only under u_test, every other subject's under u_train).
    """
    clips = export.by_id()
    for fold in export.folds:
        subject = clips[fold.test_clip_ids[0]].subject
        for part, ids in (("u_train", fold.train_clip_ids), ("u_test", fold.test_clip_ids)):
            for clip_id in ids:
                clip = clips[clip_id]
                path = root / subject / part / str(clip.label_index) / image_name(clip)
                write_flow_png(path, clip.flows["onset_apex"])


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def write_manifest(root: Path, export: ExportSet, fmt: str, images: dict[str, str]) -> None:
    """What was exported and how (Glimpse version, dataset, folds, flow method, what each image file
    holds), so a result computed on it can say where its inputs came from."""
    clips = export.by_id()
    manifest = {
        "glimpse_version": code_version(),
        "format": fmt,
        "dataset": export.dataset,
        "synthetic": export.is_synthetic,
        "data": "SYNTHETIC" if export.is_synthetic else "real",
        "labels": {label: i for i, label in enumerate(LABELS_ME)},
        "flow_method": export.options.flow_method,
        "images": {suffix: {"image": name, "holds": IMAGE_MEANING[name]} for suffix, name in images.items()},
        "face_backend": export.backend,
        "crop": export.options.crop.params(),
        "clips": len(export.clips),
        "folds": [
            {
                "test_subject": f.test_subject,
                "train": len(f.train_clip_ids),
                "test": len(f.test_clip_ids),
                "test_clips": [clips[i].name for i in f.test_clip_ids],
            }
            for f in export.folds
        ],
    }
    (root / MANIFEST).write_text(json.dumps(manifest, indent=2))


def _refuse_used(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise GlimpseError(
            "the output folder exists and is not empty", where=str(out), hint="pick a new --out"
        )


def check_out(out: Path, dataset_root: Path) -> None:
    """Refuse ``out`` before any flow is computed: a used folder, or one inside the dataset's own folder
    (dataset originals are never modified, and a re-ingest would read the export as clips)."""
    resolved, root = Path(out).resolve(), Path(dataset_root).resolve()
    if resolved == root or resolved.is_relative_to(root):
        raise GlimpseError(
            f"the output folder is inside the dataset's own folder {root}",
            where=str(out),
            hint="pick a --out outside the dataset",
        )
    _refuse_used(Path(out))


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A temporary folder that becomes ``out`` only if the block finishes (``out`` is re-checked here:
    another process may have filled it while the flow was computed)."""
    out = Path(out)
    _refuse_used(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}-"))
    try:
        yield tmp
        if out.exists():
            out.rmdir()
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
