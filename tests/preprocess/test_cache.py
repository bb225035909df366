"""Crops of catalog clips: backends, cache hits and keys, tracking, bad frames and paths."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import add_clip  # type: ignore[import-not-found]
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.queries import crop_backends
from db.schema import Clip, Dataset, FaceCrop
from engine.errors import GlimpseError
from engine.preprocess.align import eye_targets
from engine.preprocess.cache import (
    cache_path,
    clip_crops,
    image_crop,
    image_crops,
    preprocess_dataset,
)
from engine.preprocess.config import PreprocessConfig


def _crops_rows(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(FaceCrop))


def _pupils(crop: np.ndarray) -> list[list[float]]:
    _, _, stats, centroids = cv2.connectedComponentsWithStats((crop < 30).astype(np.uint8))
    return sorted(centroids[1:][stats[1:, cv2.CC_STAT_AREA] >= 3].tolist())


def test_ground_truth_clip_crops_then_cache_hit(session: Session, make_clip, home: Path) -> None:
    clip_id = make_clip(n=4)
    cfg = PreprocessConfig(size=48)
    first = clip_crops(session, clip_id, cfg)
    assert first.backend == "ground_truth"  # auto picks the landmarks written beside the frames
    assert not first.hit
    assert first.frames.shape == (4, 48, 48) and first.frames.dtype == np.uint8
    assert first.frame_numbers == [1, 2, 3, 4]
    (tlx, tly), (trx, _) = eye_targets(48, cfg.eye_distance, cfg.eye_y)
    left, right = _pupils(first.frames[0])
    assert left == pytest.approx([tlx, tly], abs=1.0) and right == pytest.approx([trx, tly], abs=1.0)
    assert cache_path(first.cache_key).is_file()
    row = session.scalars(select(FaceCrop)).one()
    assert (row.clip_id, row.backend, row.size, row.n_frames) == (clip_id, "ground_truth", 48, 4)
    assert row.path == str(cache_path(first.cache_key).relative_to(home))

    second = clip_crops(session, clip_id, cfg)
    assert second.hit and second.cache_key == first.cache_key
    np.testing.assert_array_equal(second.frames, first.frames)
    assert _crops_rows(session) == 1

    # explicit ground_truth = what auto resolved to: same entry; other size or backend: new key
    assert clip_crops(session, clip_id, PreprocessConfig(size=48, backend="ground_truth")).hit
    other_size = clip_crops(session, clip_id, PreprocessConfig(size=32))
    assert other_size.cache_key != first.cache_key and not other_size.hit
    assert other_size.frames.shape == (4, 32, 32)
    assert _crops_rows(session) == 2


def test_second_call_decodes_nothing(session: Session, make_clip, monkeypatch: pytest.MonkeyPatch) -> None:
    clip_id = make_clip(n=3)
    clip_crops(session, clip_id)
    import engine.preprocess.cache as cache_mod

    def no_decoding(*_args, **_kw):
        raise AssertionError("a cache hit must not decode frames")

    monkeypatch.setattr(cache_mod, "_compute", no_decoding)
    assert clip_crops(session, clip_id).hit


def test_key_changes_when_a_frame_changes(session: Session, make_clip) -> None:
    clip_id = make_clip(n=3)
    key = clip_crops(session, clip_id).cache_key
    frame = make_clip.root / "clip1" / "img2.png"
    image = cv2.imread(str(frame), cv2.IMREAD_GRAYSCALE)
    cv2.imwrite(str(frame), 255 - image)
    again = clip_crops(session, clip_id)
    assert again.cache_key != key and not again.hit
    landmarks = make_clip.root / "clip1" / "glimpse_landmarks.json"
    landmarks.write_text(landmarks.read_text().replace("]]", "] ]", 1))  # same points, edited file
    assert clip_crops(session, clip_id).cache_key not in (key, again.cache_key)


def test_tracking_follows_a_drifting_face(session: Session, make_clip) -> None:
    # the face drifts 1.5 px right and 1 px down per frame; detection happens on frame 1 only
    clip_id = make_clip(n=6, shift=(1.5, 1.0))
    crops = clip_crops(session, clip_id, PreprocessConfig(size=64, backend="ground_truth", track=True))
    (tlx, tly), (trx, _) = eye_targets(64, 0.42, 0.38)
    for crop in crops.frames:
        left, right = _pupils(crop)
        assert left == pytest.approx([tlx, tly], abs=1.0) and right == pytest.approx([trx, tly], abs=1.0)


def test_onset_offset_span_and_image_crop(session: Session, make_clip) -> None:
    clip_id = make_clip(n=5, onset=2, apex=3, offset=4)
    span = clip_crops(session, clip_id, span="onset_offset")
    assert span.frame_numbers == [2, 3, 4] and span.frames.shape[0] == 3 and not span.hit
    whole = clip_crops(session, clip_id)
    assert whole.frame_numbers == [1, 2, 3, 4, 5] and whole.hit  # one cache entry serves both spans
    np.testing.assert_array_equal(span.frames, whole.frames[1:4])
    assert span.cache_key != whole.cache_key and _crops_rows(session) == 1
    still = image_crop(session, clip_id, 3)
    np.testing.assert_array_equal(still, whole.frames[2])
    several = image_crops(session, clip_id, [5, 1, 3])
    np.testing.assert_array_equal(several, whole.frames[[4, 0, 2]])
    whole.frames[:] = 0  # callers get their own copy: the next call is unaffected
    assert clip_crops(session, clip_id).frames.max() > 0
    with pytest.raises(GlimpseError, match="no frame 9"):
        image_crop(session, clip_id, 9)
    with pytest.raises(GlimpseError, match="unknown span"):
        clip_crops(session, clip_id, span="apex")


def test_opencv_backend_on_a_photograph(session: Session, tmp_path: Path, astronaut_gray: np.ndarray) -> None:
    root = tmp_path / "photos"
    (root / "faces").mkdir(parents=True)
    cv2.imwrite(str(root / "faces" / "astronaut.png"), astronaut_gray)
    clip_id = add_clip(session, root, "faces/astronaut.png", ["faces/astronaut.png"], kind="image")
    crops = clip_crops(session, clip_id, PreprocessConfig(size=64, backend="opencv"))
    assert crops.backend == "opencv"
    assert crops.frames.shape == (1, 64, 64)
    # eyes are dark: the eye row of the crop is darker than the cheek row below it
    eye_row = int(0.38 * 64)
    assert crops.frames[0, eye_row - 1 : eye_row + 2, 16:48].mean() < crops.frames[0, 40:44, 16:48].mean()


def test_corrupt_frame_names_the_file(session: Session, make_clip) -> None:
    clip_id = make_clip(n=3)
    (make_clip.root / "clip1" / "img3.png").write_bytes(b"this is not a png")
    with pytest.raises(GlimpseError, match="corrupt") as info:
        clip_crops(session, clip_id)
    assert info.value.where is not None and info.value.where.endswith("img3.png")
    assert _crops_rows(session) == 0  # nothing recorded for a failed clip


def test_empty_frame_names_the_file(session: Session, make_clip) -> None:
    clip_id = make_clip(n=2)
    (make_clip.root / "clip1" / "img1.png").write_bytes(b"")
    with pytest.raises(GlimpseError, match="empty") as info:
        clip_crops(session, clip_id)
    assert "img1.png" in str(info.value)


def test_path_escaping_the_root_is_refused(session: Session, make_clip, tmp_path: Path) -> None:
    make_clip(n=1)  # creates the dataset row for the root
    outside = tmp_path / "outside.png"
    cv2.imwrite(str(outside), np.zeros((8, 8), np.uint8))
    clip_id = add_clip(session, make_clip.root, "evil", ["../outside.png"])
    with pytest.raises(GlimpseError, match="escapes its root") as info:
        clip_crops(session, clip_id)
    assert "evil" in str(info.value)


@pytest.mark.parametrize("workers", [1, 2])  # 2: the crops are made by a pool of worker processes
def test_preprocess_dataset_lists_failures_and_goes_on(
    session: Session, make_clip, tmp_path: Path, workers: int
) -> None:
    good = make_clip("good", n=3)
    bad_folder = make_clip.root / "noface"
    bad_folder.mkdir()
    for i in range(2):
        cv2.imwrite(str(bad_folder / f"img{i + 1}.png"), np.full((120, 160), 128, np.uint8))
    bad = add_clip(session, make_clip.root, "noface", ["noface/img1.png", "noface/img2.png"])
    dataset_id = session.get(Clip, good).dataset_id
    cfg = PreprocessConfig(size=32)
    session.commit()  # the pool's workers read the catalog through their own connections
    messages: list[str] = []

    class Messages:
        def progress(self, fraction: float, message: str = "") -> None:
            messages.append(message)

        def log(self, line: str) -> None:
            pass

        def cancelled(self) -> bool:
            return False

    report = preprocess_dataset(session, dataset_id, cfg, Messages(), workers=workers)
    assert (report.n_clips, report.n_done, report.hits) == (2, 1, 0)
    assert ("task 2/2 done" in messages) == (workers == 2)  # the pool's pass, then the report's
    assert report.backends == {"ground_truth": 1}
    assert [f[0] for f in report.failures] == [bad] and "no face found" in report.failures[0][2]
    assert "noface/img1.png" in report.failures[0][2]
    again = preprocess_dataset(session, dataset_id, cfg, workers=workers)
    assert (again.n_done, again.hits) == (1, 1)
    clip_crops(session, good, PreprocessConfig(size=32, backend="opencv"))
    assert crop_backends(session, dataset_id) == {"ground_truth": 1, "opencv": 1}
    assert session.get(Dataset, dataset_id) is not None


def test_video_clip_frames_are_decoded_by_index(session: Session, tmp_path: Path, astronaut_gray) -> None:
    root = tmp_path / "videos"
    root.mkdir()
    small = cv2.resize(astronaut_gray, (256, 256), interpolation=cv2.INTER_AREA)
    writer = cv2.VideoWriter(str(root / "clip.avi"), cv2.VideoWriter_fourcc(*"MJPG"), 30, (256, 256), False)
    for i in range(6):  # the face brightens frame by frame: frame i is +10·i grey levels
        writer.write(np.clip(small.astype(int) + 10 * i, 0, 255).astype(np.uint8))
    writer.release()
    # the video reader's convention: Frame.number = 0-based index in the video, Frame.path = the video
    clip_id = add_clip(session, root, "clip.avi", ["clip.avi"] * 3, numbers=[2, 3, 4], format="video")
    crops = clip_crops(session, clip_id, PreprocessConfig(size=48))
    assert crops.backend == "dlib" and crops.frame_numbers == [2, 3, 4]  # the real-face default
    means = crops.frames.reshape(3, -1).mean(axis=1)
    assert np.diff(means) == pytest.approx([10.0, 10.0], abs=2.5)  # frames 2, 3, 4, in order
    assert clip_crops(session, clip_id, PreprocessConfig(size=48)).hit


def test_cli_preprocess_and_backends(session: Session, make_clip, home: Path, db_url: str) -> None:
    from typer.testing import CliRunner

    from engine.cli import app

    make_clip("clipA", n=3)
    name = session.scalar(select(Dataset.name))
    runner = CliRunner()
    listed = runner.invoke(app, ["preprocess", "--backends"])
    assert listed.exit_code == 0
    assert "opencv" in listed.output and "weights not found" in listed.output
    done = runner.invoke(app, ["preprocess", name, "--size", "32"])
    assert done.exit_code == 0, done.output
    assert "ground_truth (1 clips)" in done.output and "cache hits 0/1" in done.output
    again = runner.invoke(app, ["preprocess", name, "--size", "32"])
    assert "cache hits 1/1" in again.output
    missing = runner.invoke(app, ["preprocess", "nope"])
    assert missing.exit_code == 2 and "no dataset named 'nope'" in missing.output
    bad = runner.invoke(app, ["preprocess", name, "--backend", "dlib2"])
    assert bad.exit_code == 2 and "unknown face backend" in bad.output


def test_missing_frame_and_bad_landmarks_name_the_file(session: Session, make_clip) -> None:
    clip_id = make_clip("gone", n=3)
    (make_clip.root / "gone" / "img2.png").unlink()
    with pytest.raises(GlimpseError, match="missing") as info:
        clip_crops(session, clip_id)
    assert str(info.value.where).endswith("img2.png")
    clip_id = make_clip("badlm", n=2)
    landmarks = make_clip.root / "badlm" / "glimpse_landmarks.json"
    landmarks.write_text('{"format": "ibug68", "frames": {"img1.png": {"landmarks": [[1, 2]]}}}')
    with pytest.raises(GlimpseError, match="68") as info:
        clip_crops(session, clip_id)
    assert str(info.value.where).endswith("glimpse_landmarks.json")
    assert _crops_rows(session) == 0
