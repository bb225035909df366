"""docs/ARCHITECTURE.md lists every registry that exists: walk the ones actually created and look for
each one's dotted name in the registry table."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

import engine
import models.registry
from engine.registry import Registry

DOC = Path(__file__).resolve().parents[1] / "docs" / "ARCHITECTURE.md"


def _import_engine() -> None:
    """Import every engine module but the doors that start things (every registry is made at import)."""
    for info in pkgutil.walk_packages(engine.__path__, "engine."):
        if not info.name.startswith(("engine.cli", "engine.api")):
            importlib.import_module(info.name)


def _documented_name(registry: object) -> str:
    """``module.ATTRIBUTE`` of a registry, found by identity among the loaded modules' globals."""
    for name, module in list(sys.modules.items()):
        if not name.startswith(("engine.", "models.")):
            continue
        for attr, value in vars(module).items():
            if value is registry and attr.isupper() and module.__name__.endswith("registry"):
                return f"{module.__name__}.{attr}"
    raise AssertionError(f"registry {getattr(registry, 'what', registry)!r} is bound to no module constant")


def test_every_registry_is_in_the_architecture_table() -> None:
    _import_engine()
    made = [*Registry.instances, *models.registry.Registry.instances]
    names = {_documented_name(r) for r in made}
    assert len(names) >= 9  # readers, signatures, variants, job kinds, spotters, exports, faces, flows, nets
    table = DOC.read_text().split("| registry | what |", 1)[1].split("\n\n", 1)[0]
    missing = sorted(n for n in names if f"`{n}`" not in table)
    assert not missing, f"docs/ARCHITECTURE.md's registry table misses {missing}"


def test_a_new_registry_is_seen() -> None:
    """The walk sees a registry made anywhere, so the check above cannot pass by missing one."""
    before = len(Registry.instances)
    extra: Registry[int] = Registry("probe")
    try:
        assert Registry.instances[before] is extra
    finally:
        Registry.instances.remove(extra)  # type: ignore[arg-type]
