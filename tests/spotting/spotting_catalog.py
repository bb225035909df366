"""A tiny long-video dataset in a real catalog: toy recordings written as JPEG frames, coded intervals
(shared by the spotting tests and the browser walk)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
from spotting_toy import toy_frames
from sqlalchemy.orm import Session

from db.schema import RECORDING, SOURCE_ANNOTATOR, Clip, Dataset, Frame, Subject
from db.schema import Interval as IntervalRow
from engine.preprocess.faces import LANDMARKS_FILE

DATASET = "toy-long"
# 68 points on a grid over the toy face, eyes (36–41, 42–47) side by side: enough for ground-truth crops
LANDMARKS = [[8.0 + (i % 8) * 6.0, 8.0 + (i // 8) * 6.0] for i in range(68)]
LANDMARKS[36:42] = [[20.0 + d, 24.0] for d in range(6)]
LANDMARKS[42:48] = [[38.0 + d, 24.0] for d in range(6)]
FPS = 30.0
N_FRAMES = 240


def events_for(s: int) -> list[tuple[int, int, str, str, float]]:
    shift = 9 * s
    return [
        (30 + shift, 39 + shift, "micro", "mouth", 14.0),
        (100 + shift, 159 + shift, "macro", "eyes_brows", 40.0),
        (200 + shift // 3, 209 + shift // 3, "micro", "eyes_brows", 14.0),
    ]


def build_long_dataset(session: Session, root: Path, subjects: int = 3, synthetic: bool = True) -> Dataset:
    """``subjects`` recordings (frames img1.jpg…, numbered from 1), their coding as ``source`` intervals."""
    dataset = Dataset(
        name=DATASET, format="casme_sq", purpose="micro", root=str(root), fps=FPS, is_synthetic=synthetic
    )
    session.add(dataset)
    session.flush()
    for s in range(subjects):
        subject = Subject(dataset_id=dataset.id, code=f"s{15 + s}")
        session.add(subject)
        session.flush()
        name = f"{15 + s}_0101toy"
        folder = root / "rawpic" / subject.code / name
        folder.mkdir(parents=True)
        events = events_for(s)
        frames = toy_frames(N_FRAMES, events, seed=s)
        clip = Clip(
            dataset_id=dataset.id,
            subject_id=subject.id,
            name=name,
            path=str(folder.relative_to(root)),
            kind=RECORDING,
            fps=FPS,
            n_frames=N_FRAMES,
            first_frame=1,
            last_frame=N_FRAMES,
        )
        session.add(clip)
        session.flush()
        marks = {}
        for i, frame in enumerate(frames):
            cv2.imwrite(str(folder / f"img{i + 1}.jpg"), frame, [cv2.IMWRITE_JPEG_QUALITY, 95])
            session.add(Frame(clip_id=clip.id, index=i, number=i + 1, path=f"{clip.path}/img{i + 1}.jpg"))
            marks[f"img{i + 1}.jpg"] = {"box": [0, 0, 64, 64], "landmarks": LANDMARKS}
        (folder / LANDMARKS_FILE).write_text(json.dumps({"format": "ibug68", "frames": marks}))
        for n, (on, off, kind, _, _) in enumerate(events, start=1):
            session.add(
                IntervalRow(
                    clip_id=clip.id,
                    annotator=SOURCE_ANNOTATOR,
                    name=f"toy1_{n}",
                    onset=on + 1,
                    apex=(on + off) // 2 + 1,
                    offset=off + 1,
                    type=kind,
                    label="positive" if kind == "micro" else None,
                )
            )
    session.commit()
    return dataset
