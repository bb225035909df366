"""What every job handler shares: the ``JobKind`` record (the registry, ``engine.jobs.handlers.registry``,
maps a name to one) and turning results into plain data. Handlers run inside the job's process (a
worker's child, or the CLI running its own job); the catalog URL is in ``GLIMPSE_DB_URL``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from db.session import default_url
from engine.config import config_from_dict
from engine.errors import GlimpseError
from engine.progress import Reporter

Handler = Callable[[dict[str, Any], Reporter, int], dict[str, Any]]

MAX_RESULT_ITEMS = 200


@dataclasses.dataclass(frozen=True)
class JobKind:
    """One kind of job: its handler, and whether users launch it (the workbench, ``glimpse jobs submit``)
    or only tests and deployment checks do."""

    name: str
    run: Handler
    user: bool = True


def jsonable(value: Any, max_items: int = MAX_RESULT_ITEMS) -> Any:
    """Results go into a JSON column: dataclasses, paths, numpy scalars and issues become plain data.

    Lists are cut to ``max_items`` (with a final "… N more") so a job row stays small; full detail
    belongs in the job's log or the run's artefacts.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name), max_items) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v, max_items) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        items = list(value)
        out = [jsonable(v, max_items) for v in items[:max_items]]
        if len(items) > max_items:
            out.append(f"… {len(items) - max_items} more")
        return out
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "item") and callable(value.item):  # numpy / torch scalars
        try:
            return value.item()
        except (TypeError, ValueError):
            pass
    return str(value)


def scalars(value: Any) -> dict[str, Any]:
    """The plain fields of a report (counts, names, paths), without its long per-item lists."""
    data = jsonable(value)
    return {k: v for k, v in data.items() if not isinstance(v, list | dict)} if isinstance(data, dict) else {}


def db_url() -> str:
    """The catalog the job's process works on (``GLIMPSE_DB_URL``, set by whoever runs the job)."""
    return default_url()


def split_config(cls: type, params: dict[str, Any], reserved: set[str]) -> Any:
    """``cls(**params minus reserved)``, refusing unknown keys so a typo never silently means 'default'.

    ``preset: "tiny"`` starts from ``cls.tiny()`` (when the config has one) instead of the defaults.
    """
    data = {k: v for k, v in params.items() if k not in reserved | {"config", "preset"}}
    data.update(params.get("config") or {})
    what = f"{cls.__name__} parameter"
    preset = params.get("preset")
    if not preset:
        return config_from_dict(cls, data, what=what)
    if not callable(getattr(cls, str(preset), None)):
        raise GlimpseError(f"{cls.__name__} has no preset {preset!r}")
    base = getattr(cls, str(preset))(**({"seed": data["seed"]} if "seed" in data else {}))
    return config_from_dict(cls, data, base=base, what=what)
