"""Aligned face crops of catalog clips, content-addressed on disk and recorded in the catalog.

The key hashes what the crops depend on — every frame file (path, size, mtime), the backend that ran and
the config — so editing a frame, changing the size or the backend makes a new entry, and asking again for
the same thing is a cache hit that decodes no image.

Why one ~430-line module: the key, the atomic file write, the catalog row and the in-process memo are
one cache and must change together; per-clip, per-image and per-dataset entry points share them.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections import OrderedDict
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import BinaryIO

import numpy as np
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db import queries
from db.schema import Clip, Dataset, FaceCrop
from db.session import session_scope
from engine.config import settings
from engine.errors import GlimpseError
from engine.local_executor import LocalExecutor, available_cores, worth_a_pool
from engine.paths import cache_dir, relative_to_home, resolve_within
from engine.preprocess.backends import get_detector, resolve_backend
from engine.preprocess.config import PreprocessConfig
from engine.preprocess.faces import LANDMARKS_FILE, detect_ground_truth
from engine.preprocess.frames import VideoFrames, is_video, read_gray
from engine.preprocess.registry import Detection
from engine.preprocess.track import AlignedClip, align_clip
from engine.progress import Reporter, SubReporter

SPANS = ("clip", "onset_offset")


@dataclass
class CropSet:
    frames: np.ndarray  # uint8 (T, size, size); frames without a face are all zeros
    frame_numbers: list[int]
    backend: str
    cache_key: str
    hit: bool
    no_face_frames: list[int] = field(default_factory=list)  # frame numbers where no face was found

    @property
    def frames_with_face(self) -> int:
        return len(self.frame_numbers) - len(self.no_face_frames)


@dataclass(frozen=True)
class ClipFaces:
    """Per clip: how many frames, how many had a face, and which did not (frame numbers)."""

    clip_id: int
    name: str
    frames: int
    frames_with_face: int
    no_face_frames: list[int]
    backend: str


@dataclass
class PreprocessReport:
    dataset: str
    n_clips: int = 0
    n_done: int = 0
    hits: int = 0
    n_frames: int = 0
    backends: dict[str, int] = field(default_factory=dict)
    failures: list[tuple[int, str, str]] = field(default_factory=list)  # (clip id, clip name, error)
    seconds: float = 0.0
    clips: list[ClipFaces] = field(default_factory=list)

    @property
    def n_no_face(self) -> int:
        """Frames of the cropped clips that had no face (reported, blank in the crops)."""
        return sum(len(c.no_face_frames) for c in self.clips)

    @property
    def frames_per_s(self) -> float:
        return self.n_frames / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class _ClipSource:
    """Where one clip's selected frames come from (resolved, checked paths)."""

    clip: Clip
    numbers: list[int]
    files: list[Path]  # one per frame; for a video, the video file repeated
    video: Path | None
    folder: Path | None  # where glimpse_landmarks.json would be


class _Memo:
    """Recently used crop arrays by content key (so per-frame ``image_crop`` calls don't re-read the .npy).

    Keyed by the content key, so it can never serve stale crops; bounded by bytes.
    """

    def __init__(self, max_bytes: int = 64 * 2**20) -> None:
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._bytes, self._max = 0, max_bytes

    def get(self, key: str) -> np.ndarray | None:
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item

    def put(self, key: str, array: np.ndarray) -> None:
        if key in self._items or array.nbytes > self._max:
            return
        array.setflags(write=False)  # shared: callers must not modify it in place
        self._items[key] = array
        self._bytes += array.nbytes
        while self._bytes > self._max:
            _, old = self._items.popitem(last=False)
            self._bytes -= old.nbytes


_MEMO = _Memo()


def cache_path(key: str, kind: str = "faces") -> Path:
    return cache_dir() / kind / key[:2] / f"{key}.npy"


def save_array(path: Path, array: np.ndarray) -> None:
    """Atomic write: a crash never leaves a half-written cache entry that a later run would trust."""
    _write_atomically(path, lambda handle: np.save(handle, array, allow_pickle=False))


def save_npz(path: Path, **arrays: np.ndarray) -> None:
    """``np.savez`` whole or not at all, like ``save_array``."""
    _write_atomically(path, lambda handle: np.savez(handle, allow_pickle=False, **arrays))


def _write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write into a temp file of its own beside ``path``, then rename it over ``path``. The temp name is
    unique per writer, so pool workers making the same cache entry at once never trip over each other's
    temp file (the entry's content is the same whoever renames last)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_array(path: Path) -> np.ndarray | None:
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None  # missing or damaged: recompute


def _source(session: Session, clip_id: int) -> _ClipSource:
    clip = session.get(Clip, clip_id)
    if clip is None:
        raise GlimpseError(f"clip {clip_id} is not in the catalog")
    dataset = session.get(Dataset, clip.dataset_id)
    assert dataset is not None
    where = f"{dataset.name}/{clip.path}"
    frames = queries.clip_frames(session, clip_id)
    if not frames:
        raise GlimpseError("clip has no frames in the catalog", where=where, hint="re-ingest the dataset")
    try:
        clip_path = resolve_within(dataset.root, clip.path) if clip.path else None
    except GlimpseError as error:
        raise GlimpseError(error.message, where=where, hint=error.hint) from None
    if clip_path is not None and is_video(clip_path):
        return _ClipSource(clip, [f.number for f in frames], [clip_path] * len(frames), clip_path, None)
    files = []
    for frame in frames:
        try:
            files.append(resolve_within(dataset.root, frame.path))
        except GlimpseError as error:
            raise GlimpseError(
                error.message, where=f"{where}, frame {frame.number}", hint=error.hint
            ) from None
    return _ClipSource(clip, [f.number for f in frames], files, None, files[0].parent)


def _content_key(src: _ClipSource, backend: str, cfg: PreprocessConfig) -> str:
    digest = hashlib.sha256()
    for number, path in zip(src.numbers, src.files, strict=True):
        try:
            stat = path.stat()
        except OSError as error:
            raise GlimpseError(
                "frame file is missing", where=str(path), hint="re-copy the dataset"
            ) from error
        digest.update(f"{number}|{path}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    if backend == "ground_truth" and src.folder is not None:  # edited landmarks = different crops
        landmarks = src.folder / LANDMARKS_FILE
        if landmarks.is_file():
            stat = landmarks.stat()
            digest.update(f"{landmarks}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    digest.update(f"{backend}|{replace(cfg, backend=backend).key()}".encode())
    return digest.hexdigest()


def _record(
    session: Session,
    clip_id: int,
    key: str,
    backend: str,
    cfg: PreprocessConfig,
    n: int,
    path: Path,
    no_face_frames: list[int],
) -> None:
    """Insert the FaceCrop row once (commits: a worker must not hold SQLite's write lock while cropping)."""
    if queries.face_crop_recorded(session, clip_id, key):
        return
    params = {
        **replace(cfg, backend=backend).params(),
        "requested_backend": cfg.backend,
        "no_face_frames": no_face_frames,
    }
    session.add(
        FaceCrop(
            clip_id=clip_id,
            cache_key=key,
            backend=backend,
            size=cfg.size,
            n_frames=n,
            path=relative_to_home(path),
            params=params,
        )
    )
    try:
        session.commit()
    except IntegrityError:  # another worker recorded the same crops a moment ago: same content, fine
        session.rollback()


def _compute(src: _ClipSource, backend: str, cfg: PreprocessConfig) -> AlignedClip:
    video = VideoFrames(src.video) if src.video is not None else None
    try:

        def load(i: int, reduce: int = 1) -> np.ndarray:
            return video.read(src.numbers[i]) if video is not None else read_gray(src.files[i], reduce)

        def name(i: int) -> str:
            return f"{src.video}, frame {src.numbers[i]}" if src.video is not None else str(src.files[i])

        def detect(i: int, gray: np.ndarray) -> Detection:
            if backend == "ground_truth":
                if src.folder is None:
                    raise GlimpseError("ground-truth landmarks exist only for frame folders", where=name(i))
                return detect_ground_truth(src.folder, src.files[i].name)
            return get_detector(backend).detect(gray, where=name(i))

        detector = None if backend == "ground_truth" else get_detector(backend)
        refine_box = getattr(detector, "refine", None)
        search_near = getattr(detector, "detect_near", None)

        def near(i: int, gray: np.ndarray, box: tuple[float, float, float, float]) -> Detection:
            assert search_near is not None
            return search_near(gray, box, where=name(i))

        def refine(i: int, gray: np.ndarray, box: tuple[float, float, float, float]) -> Detection:
            assert refine_box is not None
            try:
                return refine_box(gray, box)
            except ValueError as error:
                raise GlimpseError(f"unusable landmarks: {error}", where=name(i)) from error

        return align_clip(
            load,
            len(src.numbers),
            detect,
            cfg,
            reference=0,
            reducible=video is None,
            refine=refine if refine_box is not None else None,
            detect_near=near if search_near is not None else None,
        )
    finally:
        if video is not None:
            video.close()


def clip_crops(
    session: Session,
    clip_id: int,
    cfg: PreprocessConfig = PreprocessConfig(),
    span: str = "clip",
    window: tuple[int | None, int | None] | None = None,
) -> CropSet:
    """The clip's aligned grayscale crops (T, size, size), from the cache when it holds them.

    The face is found on the clip's first frame and tracked through the rest. ``span='onset_offset'``
    returns the coded onset..offset frames (all frames when not coded), sliced from the same cached
    crops — so one `glimpse preprocess` serves both spans; its ``cache_key`` is still span-specific.
    ``window``: the (onset, offset) to cut instead of the clip's own (a label source's coding).
    """
    if span not in SPANS:
        raise GlimpseError(f"unknown span {span!r}", hint="use 'clip' or 'onset_offset'")
    src = _source(session, clip_id)
    backend = resolve_backend(cfg.backend, src.folder)
    key = _content_key(src, backend, cfg)
    path = cache_path(key)
    n = len(src.numbers)
    mask_path = cache_path(key, kind="noface")
    crops = _MEMO.get(key)
    if crops is None or not path.is_file():  # (a deleted cache file is recomputed and re-recorded)
        crops = load_array(path) if path.is_file() else None
    no_face = load_array(mask_path) if mask_path.is_file() else None
    hit = crops is not None and crops.shape == (n, cfg.size, cfg.size) and no_face is not None
    if not hit:
        aligned = _compute(src, backend, cfg)
        crops, no_face = aligned.crops, np.asarray(aligned.no_face, dtype=np.int64)
        save_array(mask_path, no_face)  # first: a crop file on disk always has its no-face list
        save_array(path, crops)
    assert crops is not None and no_face is not None
    _MEMO.put(key, crops)
    missing = [src.numbers[int(i)] for i in no_face]
    _record(session, clip_id, key, backend, cfg, n, path, missing)
    numbers = list(src.numbers)
    clip = src.clip
    onset, offset = (clip.onset, clip.offset) if window is None else window
    if span == "onset_offset" and onset is not None and offset is not None:
        keep = [i for i, number in enumerate(numbers) if onset <= number <= offset]
        if not keep:
            raise GlimpseError(
                f"no frames between onset {onset} and offset {offset}", where=f"clip {clip.name}"
            )
        crops, numbers = crops[keep], [numbers[i] for i in keep]
        missing = [number for number in missing if onset <= number <= offset]
        key = hashlib.sha256(f"{key}|onset_offset|{onset}|{offset}".encode()).hexdigest()
    # a copy: the memo's stays intact
    return CropSet(np.array(crops), numbers, backend, key, hit=hit, no_face_frames=missing)


def image_crop(
    session: Session, clip_id: int, frame_number: int, cfg: PreprocessConfig = PreprocessConfig()
) -> np.ndarray:
    """One aligned (size, size) uint8 face of a clip's frame (stills, CK+ peaks); cached per clip."""
    crops = clip_crops(session, clip_id, cfg)
    try:
        return crops.frames[crops.frame_numbers.index(frame_number)]
    except ValueError:
        raise GlimpseError(f"clip {clip_id} has no frame {frame_number}") from None


def image_crops(
    session: Session, clip_id: int, frame_numbers: list[int], cfg: PreprocessConfig = PreprocessConfig()
) -> np.ndarray:
    """(N, size, size) uint8 faces of several frames of one clip, in the order asked (one cache read)."""
    crops = clip_crops(session, clip_id, cfg)
    index = {number: i for i, number in enumerate(crops.frame_numbers)}
    missing = [n for n in frame_numbers if n not in index]
    if missing:
        raise GlimpseError(f"clip {clip_id} has no frame {missing[0]}")
    return crops.frames[[index[n] for n in frame_numbers]]


# measured: 1,000–1,500 frames per CPU-second, decoding included (bench_preprocess, bench_pool_data)
CROPPED_FRAMES_PER_CPU_S = 1000


def crop_in_worker(db_url: str, cfg: PreprocessConfig, clip_id: int) -> bool:
    """A pool worker's task: make (or find) one clip's crops in the cache and record them; whether they
    were in the cache already. A failing clip is left to the parent's pass, which reports it in order."""
    try:
        with session_scope(db_url) as session:
            return clip_crops(session, clip_id, cfg).hit
    except GlimpseError:
        return False


def _crop_on_pool(
    session: Session, clip_ids: list[int], cfg: PreprocessConfig, workers: int, reporter: Reporter | None
) -> dict[int, bool]:
    """Decoding, detection and alignment are CPU-bound Python and OpenCV: spread the clips over the local
    worker pool first, so the in-order pass that writes the report finds every crop in the cache.
    Returns, per clip, whether its crops were cached before this call."""
    db_url = session.get_bind().engine.url.render_as_string(hide_password=False)
    task = partial(crop_in_worker, db_url, cfg)
    pool = LocalExecutor(workers)
    with closing(pool.imap(task, clip_ids, reporter=reporter, total=len(clip_ids))) as hits:
        return dict(zip(clip_ids, hits, strict=True))


def preprocess_dataset(
    session: Session,
    dataset_id: int,
    cfg: PreprocessConfig = PreprocessConfig(),
    reporter: Reporter | None = None,
    workers: int | None = None,
) -> PreprocessReport:
    """Crops for every clip; a clip that fails (face not found, bad frame) is listed, the rest go on.
    ``workers`` processes make the crops (1: this process; None: ``GLIMPSE_WORKERS``, else one per
    core, when the dataset's frames are worth a pool's start-up)."""
    dataset = session.get(Dataset, dataset_id)
    if dataset is None:
        raise GlimpseError(f"dataset {dataset_id} is not in the catalog")
    clip_ids = queries.clip_ids_of(session, dataset_id)
    report = PreprocessReport(dataset=dataset.name, n_clips=len(clip_ids))
    started = time.perf_counter()
    if not workers:
        pool = settings().workers or available_cores()
        n_frames = queries.frame_rows_of_dataset(session, dataset_id)
        workers = pool if worth_a_pool(n_frames / CROPPED_FRAMES_PER_CPU_S, pool) else 1
    cached_before: dict[int, bool] = {}
    if workers > 1 and len(clip_ids) > 1:
        sub = SubReporter(reporter, 0.0, 0.9) if reporter else None
        cached_before = _crop_on_pool(session, clip_ids, cfg, workers, sub)
        reporter = SubReporter(reporter, 0.9, 1.0) if reporter else None
    for n, clip_id in enumerate(clip_ids):
        if reporter is not None and reporter.cancelled():
            reporter.log("cancelled")
            break
        try:
            crops = clip_crops(session, clip_id, cfg)
        except GlimpseError as error:
            session.rollback()
            name = session.get(Clip, clip_id).name  # type: ignore[union-attr]
            report.failures.append((clip_id, name, str(error)))
            if reporter is not None:
                reporter.log(f"clip {name}: {error}")
        else:
            report.n_done += 1
            report.hits += int(cached_before.get(clip_id, crops.hit))
            report.n_frames += len(crops.frame_numbers)
            report.backends[crops.backend] = report.backends.get(crops.backend, 0) + 1
            name = session.get(Clip, clip_id).name  # type: ignore[union-attr]
            report.clips.append(
                ClipFaces(
                    clip_id,
                    name,
                    len(crops.frame_numbers),
                    crops.frames_with_face,
                    crops.no_face_frames,
                    crops.backend,
                )
            )
            if reporter is not None and crops.no_face_frames:
                reporter.log(
                    f"clip {name}: no face in {len(crops.no_face_frames)} of {len(crops.frame_numbers)} "
                    f"frames ({frame_ranges(crops.no_face_frames)})"
                )
        if reporter is not None:
            reporter.progress((n + 1) / max(1, len(clip_ids)), f"{n + 1}/{len(clip_ids)} clips")
    report.seconds = time.perf_counter() - started
    return report


def frame_ranges(numbers: list[int]) -> str:
    """Frame numbers as compact ranges: [3, 4, 5, 9] → "3-5, 9"."""
    parts: list[str] = []
    start = prev = None
    for n in [*numbers, None]:
        if n is not None and prev is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            parts.append(f"{start}-{prev}" if prev != start else f"{start}")
        start = prev = n
    return ", ".join(parts)
