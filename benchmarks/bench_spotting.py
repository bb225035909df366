"""Spotting throughput on 640×480 frames, one core: preprocessing (JPEG decode, face cut, resize,
region features) plus the feature-difference curve and peak detection, in frames per CPU-second.

Frames are bench_preprocess.py's drifting photograph with sensor noise, written as JPEG (quality 90).
Rows, side by side in one run: with a ground-truth face box per frame (the synthetic corpus writes one;
a ~280 px face decodes at 1/2), with no box (the whole frame, decoded at 1/4), from already-decoded
frames (no decode), and the spotting step alone (curves at the default micro and macro half-windows,
peaks). Target: ≥ 500 frames/s per core, preprocessing included.

    .venv/bin/python benchmarks/bench_spotting.py [--frames 600]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import cv2
import numpy as np
from bench_preprocess import make_frames, timed

from engine.preprocess.faces import LANDMARKS_FILE
from engine.spotting.config import SpotConfig
from engine.spotting.curves import difference_curve, frames_for, spot_peaks
from engine.spotting.signals import SignalConfig, features_of_files, features_of_frames, ground_truth_boxes

FPS = 200.0  # a SAMM-LV-like rate: the half-windows in frames are the largest, so curves cost most


def spot(features: np.ndarray, numbers: np.ndarray) -> int:
    config = SpotConfig()
    found = 0
    for half_s in (config.micro_half_s[-1], config.macro_half_s[-1]):
        k = frames_for(half_s, FPS)
        found += len(spot_peaks(difference_curve(features, k), numbers, "bench", FPS, k, 0.3))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--frames", type=int, default=600)
    args = parser.parse_args()
    cv2.setNumThreads(1)
    frames = make_frames(args.frames, "large")
    cfg = SignalConfig()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = []
        entries = {}
        for i, frame in enumerate(frames):
            path = folder / f"img{i + 1}.jpg"
            cv2.imwrite(str(path), frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
            files.append(path)
            entries[path.name] = {"box": [180.0 + 0.05 * i, 90.0 + 0.02 * i, 280.0, 300.0]}
        (folder / LANDMARKS_FILE).write_text(json.dumps({"format": "ibug68", "frames": entries}))
        boxes = ground_truth_boxes(folder, files)
        numbers = np.arange(len(files))
        n = len(files)
        print(f"{n} frames 640×480, one thread (cv2.setNumThreads(1)); best of 3")
        with_box = timed(
            "decode + face box + features + spot (GT box)",
            n,
            lambda: spot(features_of_files(files, cfg, boxes), numbers),
        )
        timed(
            "decode + whole frame + features + spot (no box)",
            n,
            lambda: spot(features_of_files(files, cfg, None), numbers),
        )
        timed(
            "features from decoded frames (no decode, GT box)",
            n,
            lambda: features_of_frames(frames, boxes, cfg),
        )
        feats = features_of_frames(frames, boxes, cfg)
        timed("curves + peaks only", n, lambda: spot(feats, numbers))
        verdict = "met" if with_box >= 500 else "NOT met"
        print(f"target ≥ 500 frames per CPU-second with preprocessing: {verdict}")


if __name__ == "__main__":
    main()
