"""The facade rule is enforced, not just written: lint-imports (pyproject.toml's contracts) refuses a
workbench module that imports an engine module other than engine.api / engine.errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS)], cwd=root, env=env, capture_output=True, text=True, timeout=300)


def test_a_workbench_import_past_the_facade_breaks_the_contract(tmp_path: Path) -> None:
    for part in ("workbench", "engine", "db", "models"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    clean = _lint(tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr

    page = tmp_path / "workbench" / "pages" / "compare.py"
    page.write_text("from engine.variants.registry import get_variant  # noqa: F401\n" + page.read_text())
    broken = _lint(tmp_path)
    assert broken.returncode != 0
    assert "workbench is not allowed to import engine.variants" in broken.stdout
    assert "workbench.pages.compare -> engine.variants.registry" in broken.stdout
