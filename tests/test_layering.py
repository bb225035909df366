"""The arrows between the parts only point down: workbench → engine → (db, models)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"db", "engine", "models", "workbench"}
ALLOWED = {
    "db": set(),
    "models": set(),
    "engine": {"db", "models"},
    "workbench": {"db", "engine"},
}


def imported_top_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & OURS


@pytest.mark.parametrize("part", sorted(ALLOWED))
def test_part_imports_only_what_it_may(part: str) -> None:
    offenders = []
    for path in sorted((ROOT / part).rglob("*.py")):
        bad = imported_top_packages(path) - ALLOWED[part] - {part}
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert offenders == []


def test_the_rule_is_checked_on_real_files() -> None:
    # guards against the walk above silently finding nothing
    assert imported_top_packages(ROOT / "engine" / "paths.py") == {"engine"}
    assert len(list((ROOT / "engine").rglob("*.py"))) > 20
