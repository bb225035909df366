"""Detection and alignment on real photographs shipped with scikit-image, and on drawn faces."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from conftest import ASTRONAUT_EYES, draw_face, ibug_landmarks  # type: ignore[import-not-found]

from engine.errors import GlimpseError
from engine.preprocess import faces as faces_mod
from engine.preprocess.align import align_face, eye_targets, similarity_matrix, transform_points
from engine.preprocess.backends import available_backends, backend_names, resolve_backend
from engine.preprocess.config import PreprocessConfig
from engine.preprocess.faces import Detection, FaceAlignmentDetector, OpenCVDetector


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Intersection over union of two (x, y, w, h) boxes."""
    ax1, ay1, bx1, by1 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw, ih = max(0.0, min(ax1, bx1) - max(a[0], b[0])), max(0.0, min(ay1, by1) - max(a[1], b[1]))
    inter = iw * ih
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def test_opencv_finds_astronaut_face(astronaut_gray: np.ndarray) -> None:
    det = OpenCVDetector().detect(astronaut_gray)
    # hand-checked face region (forehead to chin, cheek to cheek); the rocket beside her is not a face
    assert _overlap(det.box, (172, 62, 104, 104)) > 0.6
    assert det.backend == "opencv"
    # the eyes the detector found are within 4 px of the hand-checked pupils
    assert np.abs(np.array([det.left_eye, det.right_eye]) - ASTRONAUT_EYES).max() < 4


@pytest.mark.parametrize("angle", [-10.0, 0.0, 8.0])
def test_aligned_astronaut_eyes_are_level(astronaut_gray: np.ndarray, angle: float) -> None:
    rot = cv2.getRotationMatrix2D((224.0, 102.0), angle, 1.0)
    image = cv2.warpAffine(astronaut_gray, rot, (512, 512), borderMode=cv2.BORDER_REFLECT)
    true_eyes = transform_points(ASTRONAUT_EYES, rot)  # where the real pupils are after the tilt
    det = OpenCVDetector().detect(image)
    matrix = similarity_matrix(det.left_eye, det.right_eye, 64, 0.42, 0.38)
    left, right = transform_points(true_eyes, matrix)
    assert abs(left[1] - right[1]) <= 2.0  # level within 2 px at size 64
    (tlx, tly), (trx, _) = eye_targets(64, 0.42, 0.38)
    assert abs(left[0] - tlx) < 3 and abs(right[0] - trx) < 3 and abs(left[1] - tly) < 3
    crop = align_face(image, det.left_eye, det.right_eye, 64)
    assert crop.shape == (64, 64) and crop.dtype == np.uint8


@pytest.mark.parametrize("border", [60, 0])  # 0: a tight crop, like the datasets' "cropped" releases
def test_opencv_finds_lfw_faces(border: int) -> None:
    from skimage import data

    faces = data.lfw_subset()[:8]  # the first 100 are faces (25×25 crops); upscale them
    found = 0
    for face in faces:
        image = cv2.resize((face * 255).astype(np.uint8), (200, 200), interpolation=cv2.INTER_CUBIC)
        image = cv2.copyMakeBorder(image, border, border, border, border, cv2.BORDER_REPLICATE)
        try:
            det = OpenCVDetector().detect(image)
        except GlimpseError:
            continue
        found += 1
        # the face fills the centre of the upscaled crop
        assert _overlap(det.box, (border, border, 200, 200)) > 0.45
        if border:  # with a margin the eyes are found too (tight crops: the box only, see the report)
            assert det.left_eye[0] < border + 100 < det.right_eye[0]
            assert abs(det.left_eye[1] - det.right_eye[1]) < 0.15 * det.box[2]  # LFW faces are upright
    assert found >= 7


def test_no_face_names_the_file() -> None:
    blank = np.full((240, 320), 128, np.uint8)
    with pytest.raises(GlimpseError, match="no face found") as info:
        OpenCVDetector().detect(blank, where="sub01/img7.jpg")
    assert info.value.where == "sub01/img7.jpg"


def test_ground_truth_eyes_land_on_targets() -> None:
    left, right = (60.0, 50.0), (100.0, 58.0)  # tilted face
    image = draw_face((120, 160), left, right)
    det = Detection.from_landmarks(ibug_landmarks(left, right), "ground_truth")
    assert det.left_eye == pytest.approx(left) and det.right_eye == pytest.approx(right)
    cfg = PreprocessConfig(size=64, eye_distance=0.4, eye_y=0.4)
    crop = align_face(image, det.left_eye, det.right_eye, cfg.size, cfg.eye_distance, cfg.eye_y)
    # the two dark pupils in the crop sit at the configured positions
    _, _, stats, centroids = cv2.connectedComponentsWithStats((crop < 30).astype(np.uint8))
    pupils = sorted(centroids[1:][stats[1:, cv2.CC_STAT_AREA] >= 4].tolist())
    assert len(pupils) == 2
    (tlx, tly), (trx, try_) = eye_targets(64, 0.4, 0.4)
    assert pupils[0] == pytest.approx([tlx, tly], abs=1.0)
    assert pupils[1] == pytest.approx([trx, try_], abs=1.0)


def test_face_alignment_reports_missing_weights(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    status = available_backends()
    assert status["opencv"] == "available"
    reason = status["face_alignment"]
    assert reason != "available"
    assert "weights not found" in reason and str(tmp_path / "torch") in reason
    with pytest.raises(GlimpseError, match="weights not found"):
        FaceAlignmentDetector()
    # auto never picks it without weights; without ground truth the installed dlib is the real-face default
    assert resolve_backend("auto", tmp_path) == "dlib"
    with pytest.raises(GlimpseError, match="weights not found"):
        resolve_backend("face_alignment", tmp_path)


def test_face_alignment_found_when_weights_present(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    checkpoints = tmp_path / "torch" / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    (checkpoints / faces_mod.FAN_WEIGHTS).write_bytes(b"x")
    (checkpoints / faces_mod.SFD_WEIGHTS).write_bytes(b"x")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    assert available_backends()["face_alignment"] == "available"
    assert resolve_backend("face_alignment", tmp_path) == "face_alignment"
    assert resolve_backend("auto", tmp_path) == "dlib"  # dlib ranks above face-alignment


def test_backends_come_from_the_registry_most_preferred_first() -> None:
    assert backend_names() == ("auto", "ground_truth", "dlib", "face_alignment", "opencv")
    assert list(available_backends()) == list(backend_names()[1:])


def test_config_key_is_stable_and_sensitive() -> None:
    assert PreprocessConfig().key() == PreprocessConfig().key()
    assert PreprocessConfig(size=32).key() != PreprocessConfig().key()
    assert PreprocessConfig(backend="opencv").key() != PreprocessConfig().key()
    with pytest.raises(GlimpseError, match="unknown face backend"):
        PreprocessConfig(backend="dlib2")


def test_face_alignment_built_offline_without_compile(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With weights on disk the real FaceAlignment is built with compile=False from that folder.

    face_alignment itself is replaced by a stub: its real network needs the (absent) weights.
    """
    import sys
    import types

    checkpoints = tmp_path / "torch" / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    (checkpoints / faces_mod.FAN_WEIGHTS).write_bytes(b"x")
    (checkpoints / faces_mod.SFD_WEIGHTS).write_bytes(b"x")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    seen: dict[str, object] = {}
    left, right = (60.0, 50.0), (100.0, 54.0)

    class StubFaceAlignment:
        def __init__(
            self, landmarks_type, device="cuda", face_detector="sfd", face_detector_kwargs=None, compile=True
        ):  # noqa: A002 (face_alignment's own parameter name)
            import os

            seen.update(compile=compile, kwargs=face_detector_kwargs, torch_home=os.environ["TORCH_HOME"])

        def get_landmarks_from_image(self, rgb):
            seen["shape"] = rgb.shape
            return [ibug_landmarks(left, right)]

    stub = types.ModuleType("face_alignment")
    stub.FaceAlignment = StubFaceAlignment
    stub.LandmarksType = types.SimpleNamespace(TWO_D=1)
    monkeypatch.setitem(sys.modules, "face_alignment", stub)
    det = FaceAlignmentDetector().detect(np.zeros((120, 160), np.uint8))
    assert seen["compile"] is False
    assert seen["kwargs"] == {"path_to_detector": str(checkpoints / faces_mod.SFD_WEIGHTS)}
    assert seen["torch_home"] == str(tmp_path / "torch") and seen["shape"] == (120, 160, 3)
    assert det.backend == "face_alignment" and det.left_eye == pytest.approx(left)
