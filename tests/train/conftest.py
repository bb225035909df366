"""A tiny catalog drawn in the test itself (faces with a moving mouth/brow), so training tests do not
depend on the synthetic-corpus generator: 4 ME subjects × 3 clips, 4 macro sequences, 8 still faces."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from sqlalchemy.orm import Session

from db.schema import Clip, Dataset, Frame, Subject
from db.session import session_factory

SIDE = 64
EYES = ((22, 26), (42, 26))


def draw_face(rng: np.random.Generator, label: str | None, intensity: float) -> np.ndarray:
    """A grey face; ``label`` bends the mouth (positive up, negative down) or opens it (surprise)."""
    img = np.full((SIDE, SIDE), 30, np.uint8)
    cv2.ellipse(img, (32, 34), (22, 28), 0, 0, 360, int(150 + rng.integers(-20, 20)), -1)
    for x, y in EYES:
        cv2.circle(img, (x, y), 3, 40, -1)
    brow = int(round(4 * intensity)) if label == "negative" else 0
    cv2.line(img, (17, 19 + brow), (27, 19), 60, 2)
    cv2.line(img, (37, 19), (47, 19 + brow), 60, 2)
    bend = int(round(6 * intensity)) * (1 if label == "positive" else -1 if label == "negative" else 0)
    if label == "surprise":
        cv2.ellipse(img, (32, 48), (5, max(1, int(round(6 * intensity)))), 0, 0, 360, 50, -1)
    else:
        cv2.ellipse(
            img,
            (32, 46),
            (9, max(1, abs(bend))),
            0,
            0 if bend >= 0 else 180,
            180 if bend >= 0 else 360,
            50,
            2,
        )
    noise = rng.normal(0, 2, img.shape)
    return np.clip(img + noise, 0, 255).astype(np.uint8)


def _landmarks() -> list[list[float]]:
    pts = [[32.0 + 20 * np.cos(a), 34.0 + 26 * np.sin(a)] for a in np.linspace(0, 2 * np.pi, 68)]
    for i in range(36, 42):
        pts[i] = [float(EYES[0][0]), float(EYES[0][1])]
    for i in range(42, 48):
        pts[i] = [float(EYES[1][0]), float(EYES[1][1])]
    return pts


def _write_clip(folder: Path, frames: list[np.ndarray]) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    lm = {"format": "ibug68", "frames": {}}
    for i, img in enumerate(frames, start=1):
        name = f"img{i}.png"
        cv2.imwrite(str(folder / name), img)
        lm["frames"][name] = {"landmarks": _landmarks(), "box": [10, 6, 44, 56]}
        names.append(name)
    (folder / "glimpse_landmarks.json").write_text(json.dumps(lm))
    return names


def _dataset(session: Session, name: str, root: Path, purpose: str, fmt: str) -> Dataset:
    ds = Dataset(name=name, format=fmt, purpose=purpose, root=str(root), fps=200.0, is_synthetic=True)
    session.add(ds)
    session.flush()
    return ds


def _add_clip(session, ds, subject, name, root, frames, label, kind, onset=None, offset=None) -> Clip:
    rel = f"{subject.code}/{name}"
    files = _write_clip(root / rel, frames)
    clip = Clip(
        dataset_id=ds.id,
        subject_id=subject.id,
        name=name,
        path=rel,
        kind=kind,
        n_frames=len(frames),
        first_frame=1,
        last_frame=len(frames),
        onset=onset,
        offset=offset,
        label=label,
    )
    session.add(clip)
    session.flush()
    session.add_all(
        Frame(clip_id=clip.id, index=i, number=i + 1, path=f"{rel}/{f}") for i, f in enumerate(files)
    )
    return clip


def build_tiny_catalog(session: Session, root: Path, n_subjects: int = 4, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    me = _dataset(session, "synthetic-casme2", root / "me", "micro", "casme2")
    for s in range(n_subjects):
        subject = Subject(dataset_id=me.id, code=f"sub{s + 1:02d}")
        session.add(subject)
        session.flush()
        for k, label in enumerate(("negative", "positive", "surprise")):
            curve = [0, 0, 0.3, 0.8, 1.0, 0.7, 0.3, 0, 0]
            frames = [draw_face(rng, label, c) for c in curve]
            _add_clip(session, me, subject, f"EP{k:02d}", root / "me", frames, label, "micro", 2, 8)
    macro = _dataset(session, "synthetic-ckplus", root / "macro", "macro", "ckplus")
    subject = Subject(dataset_id=macro.id, code="S001")
    session.add(subject)
    session.flush()
    for k, label in enumerate(("negative", "positive", "surprise", None)):
        frames = [draw_face(rng, label, c) for c in (0, 0.5, 1.0, 1.5, 2.0)]
        _add_clip(session, macro, subject, f"{k:03d}", root / "macro", frames, label, "macro")
    faces = _dataset(session, "synthetic-faces", root / "faces", "faces", "folder")
    subject = Subject(dataset_id=faces.id, code="faces")
    session.add(subject)
    session.flush()
    for k in range(8):
        _add_clip(
            session, faces, subject, f"face{k}", root / "faces", [draw_face(rng, None, 0)], None, "image"
        )
    session.commit()


@pytest.fixture()
def tiny_catalog(session: Session, home: Path, db_url: str) -> str:
    """The drawn catalog in a fresh GLIMPSE_HOME; returns the catalog URL."""
    torch.set_num_threads(1)
    build_tiny_catalog(session, home / "datasets" / "tiny")
    return db_url


@pytest.fixture()
def drawn_images() -> tuple[np.ndarray, np.ndarray]:
    """48 drawn 32×32 faces and their macro label indices (negative, positive, surprise, neutral)."""
    torch.set_num_threads(1)
    rng = np.random.default_rng(1)
    labels = np.arange(48) % 4
    names = ("negative", "positive", "surprise", None)
    images = np.stack([cv2.resize(draw_face(rng, names[k], 1.5), (32, 32)) for k in labels])
    return images, labels


@pytest.fixture()
def tiny_catalog_on_each_backend(backend_url: str, home: Path) -> str:
    """The drawn catalog on SQLite and on a throwaway PostgreSQL (see tests/conftest.py)."""
    torch.set_num_threads(1)
    with session_factory(backend_url)() as session:
        build_tiny_catalog(session, home / "datasets" / "tiny")
    return backend_url
