"""What a run records so it can be reproduced: the code version (package + git commit when known) and the
environment it ran in (library versions, CPU and GPU model)."""

from __future__ import annotations

import os
import platform
import subprocess
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import torch


def _git(*args: str) -> str:
    """Output of a git command in the source tree, '' when git or the repository is not there."""
    try:
        result = subprocess.run(
            ["git", *args],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except OSError:
        return ""
    return result.stdout.strip()


@lru_cache(maxsize=1)
def code_version() -> str:
    """``<package version>+g<commit>``, with ``.dirty`` when tracked files differ from that commit."""
    try:
        package = version("glimpse")
    except PackageNotFoundError:
        package = "0+unknown"
    commit = _git("rev-parse", "--short", "HEAD")
    if not commit:
        return package
    dirty = ".dirty" if _git("status", "--porcelain", "--untracked-files=no") else ""
    return f"{package}+g{commit}{dirty}"


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo`` on Linux, else what ``platform`` knows)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment(device: str) -> dict[str, Any]:
    """Where a run ran: versions that change numbers, the CPU, and the GPU when it ran on one."""
    record: dict[str, Any] = {
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        # the instruction set torch's kernels dispatch to (AVX2, AVX512, ...): the same code, seed and
        # pinned runtime train to different weights on CPUs that pick different kernels
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "device": device,
    }
    if device.startswith("cuda") and torch.cuda.is_available():
        record["gpu"] = torch.cuda.get_device_name(torch.device(device))
        record["cuda"] = torch.version.cuda
        record["cudnn"] = torch.backends.cudnn.version()
    return record
