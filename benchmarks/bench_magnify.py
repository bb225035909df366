"""Motion magnification throughput on a 200-fps clip: frames per second (wall) and per CPU-second for the
linear and phase methods, at the player's 64×64 face crops and at 128×128, for a 1-second clip (200
frames, a typical ME clip) and a 2000-frame clip (the longest the player shows crops for); and the
cached read of the same result (what every later window of that setting costs).

Frames are a smooth random texture moving by ±0.02 px at 5 Hz (SYNTHETIC). One OpenCV thread, so the
figure is per core and comparable on a shared machine; the load average is printed beside it.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_magnify.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from engine.preprocess.cache import load_array, save_array
from engine.preprocess.magnify import MagnifyConfig, magnify

FPS = 200.0


def clip(frames: int, size: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    kx, ky = np.fft.fftfreq(size)[None, :], np.fft.fftfreq(size)[:, None]
    spectrum = np.fft.fft2(rng.normal(size=(size, size))) * np.exp(-2 * np.pi**2 * 4.0 * (kx**2 + ky**2))
    dx = 0.02 * np.sin(2 * np.pi * 5.0 * np.arange(frames) / FPS)
    moved = np.real(np.fft.ifft2(spectrum[None] * np.exp(-2j * np.pi * kx[None] * dx[:, None, None])))
    return np.clip(128 + 40 * moved / moved.std(), 0, 255).astype(np.uint8)


def timed(run: callable, repeats: int) -> tuple[float, float]:  # type: ignore[valid-type]
    """Best wall and CPU seconds of ``repeats`` runs."""
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cv2.setNumThreads(1)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; OpenCV threads 1; SYNTHETIC")
    print("| method | frames | size | frames/s (wall) | frames per CPU-second | cached read (ms) |")
    print("| --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for frames, size in ((200, 64), (200, 128), (2000, 64)):
            data = clip(frames, size)
            for method in ("linear", "phase"):
                cfg = MagnifyConfig(method=method, gain=10.0, f_lo=2.0, f_hi=20.0)
                wall, cpu = timed(lambda d=data, c=cfg: magnify(d, FPS, c), args.repeats)
                path = Path(tmp) / f"{method}-{frames}-{size}.npy"
                save_array(path, magnify(data, FPS, cfg))
                read, _ = timed(lambda p=path: load_array(p), args.repeats)
                print(
                    f"| {method} | {frames} | {size}×{size} | {frames / wall:,.0f} | "
                    f"{frames / max(cpu, 1e-9):,.0f} | {read * 1000:.1f} |"
                )


if __name__ == "__main__":
    main()
