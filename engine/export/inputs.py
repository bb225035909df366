"""What the field's flow-based recognisers take as input, computed once from Glimpse-prepared clips.

Per labelled ME clip (the 3 MEGC classes): aligned face crops (the same cached crops Glimpse trains on),
the onset→apex optical flow u, v and optical strain at 28×28 (TV-L1 by default, as STSTNet/HTNet/
CausalNet), each channel min–max normalised to 0..255 as their ``norm_u_v_os`` images are, plus the
apex face. The clips and folds are handed in (``engine.api.export`` takes Glimpse's leave-one-subject-out
folds from ``engine.train.loso.build_folds``): this layer sits below training and only writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.schema import Clip, Dataset
from engine.errors import GlimpseError
from engine.labels import LABELS_ME
from engine.preprocess.cache import clip_crops
from engine.preprocess.config import PreprocessConfig
from engine.preprocess.flow import normalise_channels, pair_flow, resize_flow
from engine.progress import NullReporter, Reporter, check_cancel
from engine.variants import ClipInfo, FoldSpec

FLOW_SIZE = 28  # the input side of STSTNet, HTNet and CausalNet


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
    flows: dict[str, np.ndarray]  # pair name → (28, 28, 3) uint8 image, channels u, v, strain
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


def flow_image(first: np.ndarray, second: np.ndarray, method: str) -> np.ndarray:
    """(28, 28, 3) uint8: u, v, strain of first→second, each channel scaled to 0..255 on its own."""
    flow = resize_flow(pair_flow(first, second, method), FLOW_SIZE)
    return np.round(normalise_channels(flow) * 255).astype(np.uint8).transpose(1, 2, 0)


def frame_pairs(n: int, apex: int) -> dict[str, tuple[int, int]]:
    """Named (first, second) positions among a clip's onset..offset frames.

    ``onset_apex`` is what every format uses; CausalNet also reads three more images spanning the
    whole range (its repository ships them but not how they were made: Glimpse uses apex→offset,
    onset→offset and the onset→apex half-way frame, documented in docs/EXPORT.md).
    """
    last = n - 1
    return {
        "onset_apex": (0, apex),
        "apex_offset": (apex, last),
        "onset_offset": (0, last),
        "onset_mid": (0, max(1, apex // 2)),
    }


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
    row = session.scalar(select(Dataset).where(Dataset.name == dataset))
    if row is None:
        names = ", ".join(session.scalars(select(Dataset.name).order_by(Dataset.name))) or "none"
        raise GlimpseError(f"no dataset named {dataset!r} in the catalog", hint=f"known: {names}")
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
        flows = {
            name: flow_image(crops.frames[a], crops.frames[b], options.flow_method)
            for name, (a, b) in pairs.items()
        }
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
