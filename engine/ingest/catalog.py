"""Write a reader's records into the catalog: one transaction per dataset, idempotent, bulk inserts.

Re-ingesting the same dataset (by name) updates clips in place, keyed by (subject, clip name), so clip ids
— and everything that points at them: other annotators' annotations, predictions, face crops — survive.
Only the ``source`` annotation (the dataset's own coding) is rewritten, and only when it changed.

Finished results are immutable, so an ingest never deletes a clip: one the source no longer has (its
folder gone, or a frame of it no longer decodes) is marked missing (``Clip.missing_since``) with its
frames, annotations and the predictions naming it kept, and it is present again, under the same id, once
its files return. Deleting is the explicit ``engine.ingest.removal`` (``glimpse catalog delete``).

Why one ~400-line module: every step here (subjects, clip upserts, vanished clips, frames, source
annotations, majority shares) runs inside the same transaction and shares its batching, so it reads
as one unit; format detection and the synthetic-corpus entry point are its two small doors.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from db import queries
from db.queries import majority_share
from db.schema import RECORDING, SOURCE_ANNOTATOR, Dataset, utcnow
from engine.errors import GlimpseError
from engine.ingest.base import ClipRecord, IngestIssue, ReadResult
from engine.ingest.common import VIDEO_EXTENSIONS, natural_key, require_dir
from engine.ingest.formats import detect_format
from engine.ingest.names import check_names
from engine.ingest.registry import get_reader
from engine.ingest.verify import VerifyStats, verify_result
from engine.progress import NullReporter, Reporter, SubReporter

MAX_STORED_ISSUES = 500


@dataclass
class IngestReport:
    """What one ingest did; ``issues`` are the rows/files that could not be used (the rest went in)."""

    dataset_id: int
    dataset_name: str
    format: str
    purpose: str
    n_clips: int
    n_frames: int
    n_subjects: int
    issues: list[IngestIssue] = field(default_factory=list)
    label_counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    n_new: int = 0
    n_updated: int = 0
    n_missing: int = 0  # clips of the dataset the source no longer has (kept, marked missing)
    n_restored: int = 0  # clips marked missing before that are back
    frames_decoded: int = 0
    decode_frames_per_s: float = 0.0

    n_recordings: int = 0  # long videos (clips of kind "recording")
    n_intervals: int = 0  # intervals coded inside them


def read_dataset(
    root: Path,
    fmt: str | None = None,
    decode_workers: int | None = None,
    reporter: Reporter | None = None,
) -> tuple[str, ReadResult, VerifyStats]:
    """(format, what its reader found with every frame decoded, decode stats) without touching the
    catalog; clips with an undecodable frame are among the result's issues, not its clips. The video
    reader also takes a single file (one recording)."""
    root = Path(root).resolve()
    if root.is_file() and fmt is None and root.suffix.lower() in VIDEO_EXTENSIONS:
        fmt = "video"
    if not (root.is_file() and fmt == "video"):
        root = require_dir(root)
    fmt = fmt or detect_format(root)
    reader = get_reader(fmt)
    folder = root.parent if root.is_file() else root  # a single video's paths are relative to its folder
    result, stats = verify_result(folder, reader(root), decode_workers, reporter)
    return fmt, result, stats


def ingest_dataset(
    session: Session,
    root: Path,
    fmt: str | None = None,
    name: str | None = None,
    is_synthetic: bool | None = None,
    reporter: Reporter | None = None,
    purpose: str | None = None,
    description: str = "",
    decode_workers: int | None = None,
) -> IngestReport:
    """Read ``root`` with its reader and write it to the catalog in ONE transaction (committed here).

    A GlimpseError (nothing readable) or any other failure rolls everything back: the catalog is as
    before. ``name`` defaults to the folder's name; the same name re-ingests in place.
    ``is_synthetic=None`` keeps a re-ingested dataset's flag (a new one is real); a value that contradicts
    the stored flag is refused, so results never silently lose (or gain) their SYNTHETIC label.
    """
    reporter = reporter or NullReporter()
    started = time.perf_counter()
    root = Path(root).resolve()
    reporter.progress(0.0, f"reading {root.name}")
    fmt, result, decoded = read_dataset(root, fmt, decode_workers, SubReporter(reporter, 0.05, 0.4))
    for issue in result.issues:
        reporter.log(str(issue))
    check_names(result.clips, str(root))
    if not result.clips:
        first = f"; first: {result.issues[0]}" if result.issues else ""
        raise GlimpseError(
            f"nothing could be ingested ({len(result.issues)} problem(s){first})",
            where=str(root),
            hint="fix the listed rows/files or check --format",
        )
    reporter.progress(0.4, f"{len(result.clips)} clips read; writing the catalog")
    try:
        sub = SubReporter(reporter, 0.4, 1.0)
        # a single file (one video) lives in its folder: that folder is the dataset root
        folder, default_name = (root.parent, root.stem) if root.is_file() else (root, root.name)
        report = _write(
            session, folder, fmt, name or default_name, is_synthetic, purpose, description, result, sub
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    report.seconds = round(time.perf_counter() - started, 3)
    report.frames_decoded = decoded.n_frames
    report.decode_frames_per_s = round(decoded.frames_per_s, 1)
    reporter.progress(1.0, f"{report.n_clips} clips, {report.n_frames} frames")
    return report


def _write(
    session: Session,
    root: Path,
    fmt: str,
    name: str,
    is_synthetic: bool | None,
    purpose: str | None,
    description: str,
    result: ReadResult,
    reporter: Reporter,
) -> IngestReport:
    issues = list(result.issues)
    dataset = queries.find_dataset(session, name)
    if dataset is not None and dataset.format != fmt:
        raise GlimpseError(
            f"a dataset named {name!r} already exists with format {dataset.format!r}, not {fmt!r}",
            hint="pick another --name",
        )
    if dataset is not None and is_synthetic is not None and dataset.is_synthetic != is_synthetic:
        marked, asked = ("SYNTHETIC", "real") if dataset.is_synthetic else ("real", "synthetic")
        raise GlimpseError(
            f"dataset {name!r} is marked {marked}; re-ingesting it as {asked} would relabel its results",
            hint="re-ingest without --synthetic/--real (the flag is kept), or ingest under another --name",
        )
    if dataset is None:
        dataset = Dataset(name=name, format=fmt, root=str(root), is_synthetic=bool(is_synthetic))
        session.add(dataset)
    dataset.root = str(root)
    dataset.purpose = purpose or result.purpose
    dataset.fps = result.fps
    # the issues stay with the dataset so the UI can list them later (capped: a broken release can have many)
    dataset.meta = {
        **result.meta,
        "n_issues": len(result.issues),
        "issues": [str(i) for i in result.issues[:MAX_STORED_ISSUES]],
    }
    if description:
        dataset.description = description
    session.flush()

    records = _unique(result.clips, issues)
    subject_ids = _subjects(session, dataset.id, sorted({r.subject for r in records}, key=natural_key))
    existing = queries.clips_by_key(session, dataset.id)
    rows_new, rows_update = [], []
    n_restored = 0
    for rec in records:
        row = _clip_row(dataset.id, subject_ids[rec.subject], rec)
        key = (row["subject_id"], rec.name)
        if key in existing:
            clip_id, missing = existing[key]
            rows_update.append({"id": clip_id, **row})
            n_restored += missing is not None
        else:
            rows_new.append(row)
    queries.update_clips(session, rows_update)
    queries.insert_clips(session, rows_new)
    clip_ids = {key: cid for key, (cid, _) in queries.clips_by_key(session, dataset.id).items()}
    wanted = {clip_ids[(subject_ids[r.subject], r.name)]: r for r in records}
    n_missing = _mark_missing(session, set(clip_ids.values()) - set(wanted), issues)
    reporter.progress(0.2, "writing frames")
    n_frames = _frames(session, wanted, reporter)
    reporter.progress(0.9, "writing annotations")
    _source_annotations(session, {i: r for i, r in wanted.items() if r.kind != RECORDING})
    _source_intervals(session, {i: r for i, r in wanted.items() if r.kind == RECORDING})
    session.flush()
    labels = Counter(r.label or "unlabelled" for r in records)
    return IngestReport(
        dataset_id=dataset.id,
        dataset_name=dataset.name,
        format=fmt,
        purpose=dataset.purpose,
        n_clips=len(records),
        n_frames=n_frames,
        n_subjects=len({r.subject for r in records}),
        issues=issues,
        label_counts=dict(sorted(labels.items())),
        n_new=len(rows_new),
        n_updated=len(rows_update),
        n_missing=n_missing,
        n_restored=n_restored,
        n_recordings=sum(r.kind == RECORDING for r in records),
        n_intervals=sum(len(r.intervals) for r in records),
    )


def _unique(clips: Sequence[ClipRecord], issues: list[IngestIssue]) -> list[ClipRecord]:
    seen: set[tuple[str, str]] = set()
    kept = []
    for rec in clips:
        key = (rec.subject, rec.name)
        if key in seen:
            issues.append(
                IngestIssue(rec.path, None, f"clip {rec.subject}/{rec.name} appears twice; kept the first")
            )
            continue
        seen.add(key)
        kept.append(rec)
    return kept


def _subjects(session: Session, dataset_id: int, codes: list[str]) -> dict[str, int]:
    have = queries.subject_ids(session, dataset_id)
    missing = [c for c in codes if c not in have]
    if missing:
        queries.insert_subjects(session, dataset_id, missing)
        have = queries.subject_ids(session, dataset_id)
    return have


def _clip_row(dataset_id: int, subject_id: int, rec: ClipRecord) -> dict[str, Any]:
    numbers = [f.number for f in rec.frames]
    return {
        "dataset_id": dataset_id,
        "subject_id": subject_id,
        "name": rec.name,
        "path": rec.path,
        "kind": rec.kind,
        "fps": rec.fps,
        "n_frames": len(rec.frames),
        "first_frame": min(numbers) if numbers else None,
        "last_frame": max(numbers) if numbers else None,
        "onset": rec.onset,
        "apex": rec.apex,
        "offset": rec.offset,
        "apex_estimated": rec.apex_estimated,
        "action_units": rec.action_units,
        "emotion_raw": rec.emotion_raw,
        "label": rec.label,
        "meta": rec.meta,
        "missing_since": None,
    }


def _mark_missing(session: Session, gone: set[int], issues: list[IngestIssue]) -> int:
    """Mark clips the source no longer has as missing (never delete: runs and annotators point at them).

    Already-missing clips keep their first ``missing_since``; each newly missing clip is one issue line.
    """
    if not gone:
        return 0
    now = utcnow()
    newly = queries.clips_not_missing(session, sorted(gone))
    for clip_id, path, name in newly:
        issues.append(
            IngestIssue(
                path, None, f"clip {name!r} is no longer in the source: marked missing (clip {clip_id} kept)"
            )
        )
    queries.mark_clips_missing(session, [clip_id for clip_id, _, _ in newly], now)
    return len(gone)


def _frames(session: Session, wanted: dict[int, ClipRecord], reporter: Reporter) -> int:
    """Rewrite the frames of clips whose frame list changed (all of them on a first ingest)."""
    ids = sorted(wanted)
    have = queries.frame_lists(session, ids)
    changed = []
    rows: list[dict[str, Any]] = []
    total = 0
    for clip_id in ids:
        rec = wanted[clip_id]
        target = [(i, f.number, f.path) for i, f in enumerate(rec.frames)]
        total += len(target)
        if have.get(clip_id) == target:
            continue
        changed.append(clip_id)
        rows.extend({"clip_id": clip_id, "index": i, "number": n, "path": p} for i, n, p in target)
    queries.delete_frames(session, changed)
    queries.insert_frames(
        session, rows, lambda written: reporter.progress(min(0.9, 0.1 + 0.8 * written), "writing frames")
    )
    return total


def _source_annotations(session: Session, wanted: dict[int, ClipRecord]) -> None:
    """Upsert the ``source`` annotation of every clip, then refresh annotator counts and agreement."""
    fields = ("onset", "apex", "offset", "action_units", "emotion", "label")
    have: dict[int, tuple[int, tuple[Any, ...]]] = {}
    labels: dict[int, list[str | None]] = {}
    ids = sorted(wanted)
    for annotation_id, clip_id, annotator, found in queries.annotation_values(session, ids, fields):
        if annotator == SOURCE_ANNOTATOR:
            have[clip_id] = (annotation_id, tuple(found[f] for f in fields))
        else:
            labels.setdefault(clip_id, []).append(found["label"])
    new, changed = [], []
    for clip_id in ids:
        rec = wanted[clip_id]
        values = (rec.onset, rec.apex, rec.offset, rec.action_units, rec.emotion_raw, rec.label)
        if clip_id not in have:
            new.append(
                {"clip_id": clip_id, "annotator": SOURCE_ANNOTATOR, **dict(zip(fields, values, strict=True))}
            )
        elif have[clip_id][1] != values:
            changed.append({"id": have[clip_id][0], **dict(zip(fields, values, strict=True))})
    queries.insert_annotations(session, new)
    queries.update_annotations(session, changed)
    counts = []
    for clip_id in ids:
        all_labels = [wanted[clip_id].label, *labels.get(clip_id, [])]
        counts.append(
            {"id": clip_id, "n_annotators": len(all_labels), "agreement": majority_share(all_labels)}
        )
    queries.update_clips(session, counts)


_INTERVAL_FIELDS = ("name", "onset", "apex", "offset", "type", "emotion", "label", "aus", "flags")


def _source_intervals(session: Session, wanted: dict[int, ClipRecord]) -> None:
    """Rewrite the ``source`` intervals of recordings whose coding changed (all on a first ingest), so
    an unchanged re-ingest keeps interval ids; other annotators' intervals are never touched."""
    ids = sorted(wanted)
    have = queries.source_interval_values(session, ids, _INTERVAL_FIELDS)
    changed: list[int] = []
    rows: list[dict[str, Any]] = []
    for clip_id in ids:
        target = [
            {
                "name": i.name,
                "onset": i.onset,
                "apex": i.apex,
                "offset": i.offset,
                "type": i.type,
                "emotion": i.emotion,
                "label": i.label,
                "aus": i.aus,
                "flags": list(i.flags),
            }
            for i in wanted[clip_id].intervals
        ]
        if have.get(clip_id, []) == [tuple(t[f] for f in _INTERVAL_FIELDS) for t in target]:
            continue
        changed.append(clip_id)
        rows.extend({"clip_id": clip_id, "annotator": SOURCE_ANNOTATOR, **t} for t in target)
    queries.delete_source_intervals(session, changed)
    queries.insert_intervals(session, rows)


SYNTHETIC_PARTS = (
    ("casme2", "casme2", "synthetic-casme2", None),
    ("ckplus", "ckplus", "synthetic-ckplus", None),
    ("faces", "folder", "synthetic-faces", "faces"),
    # long videos for spotting (present when the corpus was generated with them)
    ("casme_sq", "casme_sq", "synthetic-casme_sq", None),
    ("samm_lv", "samm_lv", "synthetic-samm_lv", None),
)


def ingest_synthetic_corpus(
    session: Session, corpus_root: Path, reporter: Reporter | None = None
) -> list[IngestReport]:
    """Ingest the generated corpus through the real readers: CASME II layout, CK+ layout, faces folder,
    and the long videos in the CAS(ME)² and SAMM Long Videos layouts when the corpus has them."""
    corpus_root = Path(corpus_root)
    parts = [p for p in SYNTHETIC_PARTS if (corpus_root / p[0]).is_dir()]
    if not parts:
        raise GlimpseError(
            "no synthetic corpus here (expected casme2/, ckplus/, faces/)",
            where=str(corpus_root),
            hint="run `glimpse synth` first",
        )
    reports = []
    for k, (folder, fmt, name, purpose) in enumerate(parts):
        sub = SubReporter(reporter, k / len(parts), (k + 1) / len(parts))
        reports.append(
            ingest_dataset(
                session,
                corpus_root / folder,
                fmt=fmt,
                name=name,
                is_synthetic=True,
                reporter=sub,
                purpose=purpose,
                description="synthetic corpus (generated; not real data)",
            )
        )
    return reports
