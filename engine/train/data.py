"""Pixels for training, as plain arrays cached on disk: ME clip sequences (N, T, S, S) and image sets.

Face crops come from the preprocessing cache (``engine.preprocess.cache``: detected, aligned, tracked).
The arrays are saved once per (clips, size, sequence settings) under ``cache_dir()/train-data`` so every
variant, seed and fold – possibly in another process – reads the same bytes by path.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from db import queries
from db.queries import catalog_snapshot, clips_for_training, dataset_clips
from db.schema import Clip
from engine.annotate.sources import (
    DEFAULT_LABELS,
    SOURCE,
    LabelSource,
    ResolvedLabels,
    annotator_missing,
    canonical,
    catalog_codings,
    resolve,
)
from engine.errors import GlimpseError
from engine.ingest.composite import COMPOSITE_FORMATS, composite_from_catalog
from engine.labels import LABELS_MACRO, LABELS_ME
from engine.paths import cache_dir
from engine.preprocess.cache import clip_crops, image_crop, save_npz
from engine.preprocess.config import PreprocessConfig
from engine.preprocess.temporal import resample
from engine.progress import NullReporter, Reporter
from engine.train.config import AblationConfig
from engine.variants.contract import ClipInfo


def _check_known(session: Session, names: list[str]) -> None:
    known = {d.name for d in queries.datasets_named(session, names)}
    missing = [n for n in names if n not in known]
    if missing:
        raise GlimpseError(
            f"dataset(s) {', '.join(missing)} not in the catalog",
            hint="ingest them first (glimpse synth / glimpse ingest) or pick another --dataset",
        )


def _info(clip: Clip, label: str, marks: tuple[int | None, int | None, int | None] | None) -> ClipInfo:
    return ClipInfo(
        clip.id, clip.name, f"{clip.dataset.name}/{clip.subject.code}", clip.dataset.name, label, marks
    )


def labelled_clips(
    session: Session, dataset_names: tuple[str, ...] | list[str], labels: str = DEFAULT_LABELS
) -> tuple[list[ClipInfo], ResolvedLabels | None]:
    """The ME clips (3 classes) of the named datasets as the label source ``labels`` codes them, and the
    resolved source (None for the release's own coding, which the clip rows carry)."""
    names = list(dataset_names)
    _check_known(session, names)
    source = LabelSource.parse(labels)
    if source.is_release:
        return [_info(c, str(c.label), None) for c in clips_for_training(session, names, LABELS_ME)], None
    codings = catalog_codings(session, names)
    absent = annotator_missing(source, {c.annotator for c in codings})
    if absent:
        coders = sorted({c.annotator for c in codings} - {SOURCE})
        raise GlimpseError(
            f"label source {source.spec!r} does not exist on {', '.join(names)}: {absent}",
            hint=f"annotators with codings there: {', '.join(coders) or 'none'}",
        )
    resolved = resolve(source, codings, LABELS_ME)
    clips = [
        _info(c, lab.label, (lab.onset, lab.apex, lab.offset))
        for c in dataset_clips(session, names)
        if (lab := resolved.labels.get(c.id)) is not None
    ]
    return clips, resolved


def me_clips(
    session: Session, dataset_names: tuple[str, ...] | list[str], labels: str = DEFAULT_LABELS
) -> list[ClipInfo]:
    """The labelled ME clips (3 classes) of the named datasets, as plain data (labels from ``labels``)."""
    return labelled_clips(session, dataset_names, labels)[0]


def _composite_members(
    session: Session, dataset_names: tuple[str, ...] | list[str], clips: list[ClipInfo]
) -> list[ClipInfo]:
    formats = {d.name: d.format for d in queries.datasets_named(session, dataset_names)}
    names = [n for n in dataset_names if formats.get(n) in COMPOSITE_FORMATS]
    if not names:
        described = ", ".join(f"{n} ({formats.get(n)})" for n in dataset_names)
        raise GlimpseError(
            f"the composite protocol needs a dataset of format {'/'.join(COMPOSITE_FORMATS)}, "
            f"got {described}",
            hint="add CASME II / SMIC / SAMM datasets with --dataset, or use --protocol loso",
        )
    members = {m.clip.id for m in composite_from_catalog(session, names).members}
    return [c for c in clips if c.clip_id in members]


@dataclass(frozen=True)
class ProtocolClips:
    """The clips a run trains and tests on under its label source, and how the source covered them."""

    clips: list[ClipInfo]
    labels: str  # the label source, canonical
    n_release: int  # clips the release's coding labels under the same protocol
    ties: tuple[int, ...] = ()  # majority ties left out (clip ids)

    def summary(self) -> dict[str, object]:
        """What a run records about its labels (the ``labels`` artefact)."""
        return {
            "labels": self.labels,
            "n_clips": len(self.clips),
            "n_release": self.n_release,
            "ties": list(self.ties),
        }


def _protocol_selection(
    session: Session, cfg: AblationConfig, labels: str
) -> tuple[list[ClipInfo], ResolvedLabels | None]:
    if cfg.protocol == "composite":
        clips, resolved = labelled_clips(session, cfg.me_datasets, labels)
        return _composite_members(session, cfg.me_datasets, clips), resolved
    return labelled_clips(session, cfg.evaluation_datasets(), labels)


def protocol_clips(session: Session, cfg: AblationConfig, labels: str = DEFAULT_LABELS) -> list[ClipInfo]:
    """The clips of ``protocol_selection`` (see there)."""
    return protocol_selection(session, cfg, labels).clips


def protocol_selection(session: Session, cfg: AblationConfig, labels: str = DEFAULT_LABELS) -> ProtocolClips:
    """The labelled ME clips an evaluation protocol runs on (``cfg.protocol``, see ``loso.protocol_folds``
    for the folds): ``loso`` all of ``me_datasets``; ``composite`` their MEGC 2019 composite members;
    ``cross_dataset`` all of ``train_datasets`` + ``test_datasets`` — labelled by the source ``labels``.

    A source other than the release's must cover every fold the release's coding has (each subject for
    LOSO, each dataset for cross-dataset) with at least one clip; otherwise it is refused here, before any
    training, naming the folds it misses.
    """
    labels = canonical(labels)
    clips, resolved = _protocol_selection(session, cfg, labels)
    if resolved is None:
        return ProtocolClips(clips, labels, len(clips))
    release, _ = _protocol_selection(session, cfg, DEFAULT_LABELS)
    fold_of = (lambda c: c.dataset) if cfg.protocol == "cross_dataset" else (lambda c: c.subject)
    covered = {fold_of(c) for c in clips}
    missing = sorted({fold_of(c) for c in release} - covered)
    if missing:
        what = "dataset" if cfg.protocol == "cross_dataset" else "subject"
        shown = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
        raise GlimpseError(
            f"label source {labels!r} covers too few clips: no clip of {len(missing)} {what} fold(s) "
            f"({shown}); it labels {len(clips)} of the {len(release)} clips the release labels",
            hint="code those clips (Annotate / Review), or pick another --labels",
        )
    return ProtocolClips(clips, labels, len(release), resolved.ties)


def _key(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:20]


def _frames_of(session: Session, clip: Clip, numbers: list[int] | None, size: int) -> np.ndarray:
    """Aligned grayscale (T, S, S) uint8 face crops of these frame numbers (all frames when None)."""
    if numbers is None:
        numbers = [number for number, _ in queries.frame_listing(session, clip.id)]
    cfg = PreprocessConfig(size=size)
    return np.stack([np.asarray(image_crop(session, clip.id, n, cfg)) for n in numbers])


def span_window(info: ClipInfo) -> tuple[int | None, int | None] | None:
    """The (onset, offset) a clip's label source marks (None: the clip's own coding)."""
    return None if info.marks is None else (info.marks[0], info.marks[2])


def _span_frames(session: Session, info: ClipInfo, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(T, S, S) crops from onset to offset (as the clip's label source marks them) and their numbers."""
    crops = clip_crops(
        session, info.clip_id, PreprocessConfig(size=size), span="onset_offset", window=span_window(info)
    )
    return np.asarray(crops.frames), np.asarray(crops.frame_numbers)


def sequence_positions(n: int, length: int) -> np.ndarray:
    """Which source frame each of ``length`` steps is nearest to (for frame numbers of resampled clips)."""
    return np.rint(np.linspace(0, n - 1, length)).astype(int)


@dataclass(frozen=True)
class SequenceSet:
    """ME clip sequences on disk: ``frames`` (N, T, S, S) uint8, ``numbers`` (N, T), ``clip_ids`` (N,)."""

    path: str
    key: str


def build_sequences(
    session: Session,
    clips: list[ClipInfo],
    size: int,
    seq_len: int,
    interpolation: str,
    reporter: Reporter | None = None,
) -> SequenceSet:
    """Crops of every clip between onset and offset, resampled to ``seq_len`` frames; cached by content."""
    reporter = reporter or NullReporter()
    snapshot = catalog_snapshot(session)
    key = _key(
        {
            "clips": [c.clip_id for c in clips],
            "size": size,
            "T": seq_len,
            "interp": interpolation,
            "snapshot": snapshot,
            "v": 1,
        }
        # a label source's own spans (the release's runs keep their key)
        | ({"marks": [c.marks for c in clips]} if any(c.marks is not None for c in clips) else {})
    )
    path = cache_dir() / "train-data" / f"seq-{key}.npz"
    if path.exists():
        return SequenceSet(str(path), key)
    frames_out = np.zeros((len(clips), seq_len, size, size), np.uint8)
    numbers_out = np.zeros((len(clips), seq_len), np.int64)
    for i, info in enumerate(clips):
        frames, numbers = _span_frames(session, info, size)
        frames_out[i] = resample(frames, seq_len, interpolation)
        numbers_out[i] = numbers[sequence_positions(len(numbers), seq_len)]
        if i % 10 == 0:
            reporter.progress(i / max(1, len(clips)), f"loading clip {i + 1}/{len(clips)}")
    save_npz(path, frames=frames_out, numbers=numbers_out, clip_ids=np.array([c.clip_id for c in clips]))
    return SequenceSet(str(path), key)


def _sample(n: int, cap: int, seed: int = 0) -> np.ndarray:
    if n <= cap:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, cap, replace=False))


def face_images(session: Session, dataset_name: str, size: int, cap: int) -> np.ndarray:
    """Every frame of the faces dataset (still images), (N, S, S) uint8, capped deterministically."""
    key = _key({"faces": dataset_name, "size": size, "cap": cap, "snapshot": catalog_snapshot(session)})
    path = cache_dir() / "train-data" / f"faces-{key}.npz"
    if path.exists():
        return np.load(path)["images"]
    dataset = queries.find_dataset(session, dataset_name)
    if dataset is None:
        raise GlimpseError(
            f"faces dataset {dataset_name!r} not in the catalog", hint="run glimpse synth first"
        )
    rows = queries.present_clip_frames(session, dataset.id)
    if not rows:
        raise GlimpseError(f"faces dataset {dataset_name!r} has no images", hint="re-ingest it")
    keep = _sample(len(rows), cap)
    images = np.stack([_frames_of(session, rows[i][0], [rows[i][1].number], size)[0] for i in keep])
    save_npz(path, images=images)
    return images


def macro_images(
    session: Session, dataset_name: str, size: int, cap: int, peak_frames: int, neutral_frames: int
) -> tuple[np.ndarray, np.ndarray]:
    """Macro-expression stills: the last ``peak_frames`` of each labelled sequence → its label, the first
    ``neutral_frames`` of every sequence → neutral. Returns images (N, S, S) and label indices into
    ``LABELS_MACRO``."""
    key = _key(
        {
            "macro": dataset_name,
            "size": size,
            "cap": cap,
            "peak": peak_frames,
            "neutral": neutral_frames,
            "snapshot": catalog_snapshot(session),
        }
    )
    path = cache_dir() / "train-data" / f"macro-{key}.npz"
    if path.exists():
        data = np.load(path)
        return data["images"], data["labels"]
    if queries.find_dataset(session, dataset_name) is None:
        raise GlimpseError(
            f"macro dataset {dataset_name!r} not in the catalog", hint="run glimpse synth first"
        )
    items: list[tuple[Clip, int, int]] = []  # clip, frame number, label index
    for clip in queries.present_clips_with_subjects(session, [dataset_name]):
        numbers = [number for number, _ in queries.frame_listing(session, clip.id)]
        if len(numbers) < 2:
            continue
        items += [(clip, n, LABELS_MACRO.index("neutral")) for n in numbers[:neutral_frames]]
        if clip.label in LABELS_MACRO and clip.label != "neutral":
            items += [(clip, n, LABELS_MACRO.index(clip.label)) for n in numbers[-peak_frames:]]
    if not items:
        raise GlimpseError(f"macro dataset {dataset_name!r} has no usable sequences", hint="re-ingest it")
    keep = _sample(len(items), cap)
    images = np.stack([_frames_of(session, items[i][0], [items[i][1]], size)[0] for i in keep])
    labels = np.array([items[i][2] for i in keep], np.int64)
    save_npz(path, images=images, labels=labels)
    return images, labels
