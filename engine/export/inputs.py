"""What the field's flow-based recognisers take as input, computed once from Glimpse-prepared clips.

Per labelled ME clip (the 3 MEGC classes): aligned face crops (the same cached crops Glimpse trains on),
the onset→apex optical flow u, v and optical strain at 28×28 (TV-L1 by default, as STSTNet/HTNet/
CausalNet), each channel min–max normalised to 0..255 as their ``norm_u_v_os`` images are, plus the
apex face; for CausalNet also the apex→offset flow and both pairs' direction maps (``direction_map``).
The clips and folds are handed in (``engine.api.export`` takes Glimpse's leave-one-subject-out
folds from ``engine.train.loso.build_folds``): this layer sits below training and only writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
from sqlalchemy.orm import Session

from db import queries
from db.schema import Clip
from engine.errors import GlimpseError
from engine.labels import LABELS_ME
from engine.preprocess.cache import clip_crops
from engine.preprocess.config import PreprocessConfig
from engine.preprocess.flow import normalise_channels, pair_flow, resize_flow
from engine.progress import NullReporter, Reporter, check_cancel
from engine.variants.contract import ClipInfo, FoldSpec

FLOW_SIZE = 28  # the input side of STSTNet, HTNet and CausalNet
IMAGE_MEANING = {  # what each image ``clip_images`` makes holds (recorded in every export's manifest)
    "onset_apex": "onset→apex optical flow: R = u, G = v, B = optical strain, each min–max scaled to 0..255",
    "apex_offset": "apex→offset optical flow: R = u, G = v, B = optical strain, each min–max scaled",
    "onset_apex_direction": "onset→apex direction map: hue = angle of (u, v) / 2 (OpenCV), S = V = 255",
    "apex_offset_direction": "apex→offset direction map: hue = angle of (u, v) / 2 (OpenCV), S = V = 255",
}


@dataclass(frozen=True)
class ExportOptions:
    flow_method: str = "tvl1"
    crop: PreprocessConfig = field(default_factory=PreprocessConfig)


@dataclass
class ExportClip:
    clip_id: int
    dataset: str
    subject: str  # the subject code within its dataset
    name: str
    label: str
    label_index: int  # position in LABELS_ME: negative 0, positive 1, surprise 2 (their label_dict)
    onset: int
    apex: int
    offset: int
    flows: dict[str, np.ndarray]  # image name (``IMAGES``) → (28, 28, 3) uint8 RGB image
    apex_face: np.ndarray  # (S, S) uint8 aligned apex crop


@dataclass
class ExportSet:
    dataset: str
    is_synthetic: bool
    options: ExportOptions
    backend: str
    clips: list[ExportClip]
    folds: list[FoldSpec]

    def by_id(self) -> dict[int, ExportClip]:
        return {c.clip_id: c for c in self.clips}


def normalised_flow_image(flow: np.ndarray) -> np.ndarray:
    """(28, 28, 3) uint8 of a (3, 28, 28) u, v, strain flow, each channel scaled to 0..255 on its own."""
    return np.round(normalise_channels(flow) * 255).astype(np.uint8).transpose(1, 2, 0)


def direction_map(flow: np.ndarray) -> np.ndarray:
    """(28, 28, 3) uint8 RGB: each pixel's flow direction as a hue, full saturation and value.

    As CausalNet's shipped ``_2`` / ``_3`` images are: read back as HSV they hold S = V = 255 and OpenCV's
    8-bit hue (0..179, 2° a step) — the angle of (u, v) in degrees, halved and truncated to an integer,
    as OpenCV's dense-flow recipe writes ``hsv[..., 0] = ang * 180 / np.pi / 2`` into a uint8 array.
    """
    angle = np.degrees(np.arctan2(flow[1], flow[0])) % 360.0
    hsv = np.full((*angle.shape, 3), 255, np.uint8)
    hsv[..., 0] = (angle / 2.0).astype(np.uint8) % 180
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)


def frame_pairs(n: int, apex: int) -> dict[str, tuple[int, int]]:
    """Named (first, second) positions among a clip's onset..offset frames: onset→apex (what every
    format reads) and apex→offset (CausalNet's second stream)."""
    return {"onset_apex": (0, apex), "apex_offset": (apex, n - 1)}


def clip_images(frames: np.ndarray, apex: int, method: str) -> dict[str, np.ndarray]:
    """Every image an export may write for one clip's onset..offset crops (``apex``: its position):
    ``onset_apex`` / ``apex_offset`` flow images and ``onset_apex_direction`` / ``apex_offset_direction``
    direction maps, all from one 28×28 flow per pair."""
    images: dict[str, np.ndarray] = {}
    for name, (a, b) in frame_pairs(len(frames), apex).items():
        flow = resize_flow(pair_flow(frames[a], frames[b], method), FLOW_SIZE)
        images[name] = normalised_flow_image(flow)
        images[f"{name}_direction"] = direction_map(flow)
    return images


def build_export(
    session: Session,
    dataset: str,
    infos: list[ClipInfo],
    folds: list[FoldSpec],
    options: ExportOptions,
    reporter: Reporter | None = None,
) -> ExportSet:
    """Crops and flows of a dataset's labelled ME clips, with their folds (nothing is written here)."""
    reporter = reporter or NullReporter()
    row = queries.dataset_named(session, dataset)
    if not infos:
        raise GlimpseError(
            f"dataset {dataset!r} has no clips labelled {', '.join(LABELS_ME)}",
            hint="export needs coded ME clips",
        )
    clips, backends = [], set()
    for n, info in enumerate(infos):
        check_cancel(reporter)
        clip = session.get(Clip, info.clip_id)
        assert clip is not None
        crops = clip_crops(session, info.clip_id, options.crop, span="onset_offset")
        backends.add(crops.backend)
        numbers = crops.frame_numbers
        apex = numbers.index(clip.apex) if clip.apex in numbers else len(numbers) // 2
        apex = apex if apex > 0 else len(numbers) // 2
        pairs = frame_pairs(len(numbers), apex)
        missing = sorted({numbers[i] for pair in pairs.values() for i in pair} & set(crops.no_face_frames))
        if missing:
            raise GlimpseError(
                f"no face in frame(s) {', '.join(map(str, missing))}: cannot compute the flow",
                where=f"{dataset}/{info.name}",
                hint="see `glimpse preprocess --json` for the frames without a face",
            )
        flows = clip_images(crops.frames, apex, options.flow_method)
        clips.append(
            ExportClip(
                clip_id=info.clip_id,
                dataset=info.dataset,
                subject=info.subject.split("/", 1)[1],
                name=info.name,
                label=info.label,
                label_index=LABELS_ME.index(info.label),
                onset=numbers[0],
                apex=numbers[apex],
                offset=numbers[-1],
                flows=flows,
                apex_face=crops.frames[apex],
            )
        )
        reporter.progress((n + 1) / len(infos), f"{n + 1}/{len(infos)} clips")
    return ExportSet(dataset, bool(row.is_synthetic), options, "+".join(sorted(backends)), clips, folds)
