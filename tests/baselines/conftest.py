"""A tiny catalog for the baseline variants: 4 subjects × 3 clips whose class is the direction a
textured patch moves between onset and apex (right = positive, left = negative, down = surprise), so
both motion baselines have something learnable. Ground-truth landmarks make cropping deterministic."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from sqlalchemy.orm import Session

from db.schema import Clip, Dataset, Frame, Subject

SIDE = 64
MOVES = {"positive": (1, 0), "negative": (-1, 0), "surprise": (0, 1)}


def _landmarks() -> list[list[float]]:
    pts = [[32.0 + 20 * np.cos(a), 34.0 + 26 * np.sin(a)] for a in np.linspace(0, 2 * np.pi, 68)]
    for i in range(36, 42):
        pts[i] = [22.0, 26.0]
    for i in range(42, 48):
        pts[i] = [42.0, 26.0]
    return pts


def _frames(rng: np.random.Generator, label: str) -> list[np.ndarray]:
    """9 frames of a still textured face whose "mouth" patch (rows 38-56, cols 20-44) moves 1 px/frame
    for 4 frames (apex at frame 6), then holds. Only a local patch moves, as in a real ME, so the face
    tracker does not cancel the motion."""
    face = cv2.GaussianBlur(rng.integers(0, 256, (SIDE, SIDE)).astype(np.float32), (0, 0), 1.5)
    face = cv2.normalize(face, None, 40, 220, cv2.NORM_MINMAX)
    mouth = cv2.GaussianBlur(rng.integers(0, 256, (40, 44)).astype(np.float32), (0, 0), 1.5)
    mouth = cv2.normalize(mouth, None, 40, 220, cv2.NORM_MINMAX)
    dx, dy = MOVES[label]
    frames = []
    for k in (0, 0, 0, 1, 2, 3, 4, 4, 4):
        img = face.copy()
        img[38:56, 20:44] = mouth[10 - dy * k : 28 - dy * k, 10 - dx * k : 34 - dx * k]
        frames.append(np.clip(img + rng.normal(0, 1.0, img.shape), 0, 255).astype(np.uint8))
    return frames


def build_baseline_catalog(session: Session, root: Path, n_subjects: int = 4, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    ds = Dataset(
        name="synthetic-casme2",
        format="casme2",
        purpose="micro",
        root=str(root),
        fps=200.0,
        is_synthetic=True,
    )
    session.add(ds)
    session.flush()
    for s in range(n_subjects):
        subject = Subject(dataset_id=ds.id, code=f"sub{s + 1:02d}")
        session.add(subject)
        session.flush()
        for k, label in enumerate(MOVES):
            rel = f"{subject.code}/EP{k:02d}"
            folder = root / rel
            folder.mkdir(parents=True)
            lm: dict = {"format": "ibug68", "frames": {}}
            names = []
            for i, img in enumerate(_frames(rng, label), start=1):
                name = f"img{i}.png"
                cv2.imwrite(str(folder / name), img)
                lm["frames"][name] = {"landmarks": _landmarks(), "box": [10, 6, 44, 56]}
                names.append(name)
            (folder / "glimpse_landmarks.json").write_text(json.dumps(lm))
            clip = Clip(
                dataset_id=ds.id,
                subject_id=subject.id,
                name=f"EP{k:02d}",
                path=rel,
                kind="micro",
                n_frames=9,
                first_frame=1,
                last_frame=9,
                onset=2,
                apex=6,
                offset=9,
                label=label,
            )
            session.add(clip)
            session.flush()
            session.add_all(
                Frame(clip_id=clip.id, index=i, number=i + 1, path=f"{rel}/{n}") for i, n in enumerate(names)
            )
    session.commit()


@pytest.fixture()
def baseline_catalog(session: Session, home: Path, db_url: str) -> str:
    torch.set_num_threads(1)
    build_baseline_catalog(session, home / "datasets" / "tiny-baselines")
    return db_url
