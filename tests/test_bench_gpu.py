"""benchmarks/bench_gpu.py is safe to run anywhere: without a GPU it says so and exits 0."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is here: the benchmark would really run")
def test_bench_gpu_without_a_gpu_says_so_and_exits_0() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_gpu.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("no CUDA GPU here (torch ")
