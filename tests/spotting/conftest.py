"""A tiny long-video dataset in a real catalog: toy recordings written as JPEG frames, coded intervals."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest
from spotting_toy import toy_frames
from sqlalchemy.orm import Session

from db.schema import RECORDING, SOURCE_ANNOTATOR, Clip, Dataset, Frame, Subject
from db.schema import Interval as IntervalRow

DATASET = "toy-long"
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
        for i, frame in enumerate(frames):
            cv2.imwrite(str(folder / f"img{i + 1}.jpg"), frame, [cv2.IMWRITE_JPEG_QUALITY, 95])
            session.add(Frame(clip_id=clip.id, index=i, number=i + 1, path=f"{clip.path}/img{i + 1}.jpg"))
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


@pytest.fixture()
def long_dataset(session: Session, home: Path) -> Dataset:
    return build_long_dataset(session, home / "datasets" / "toy-long")
