"""SQL lives only in ``db/``: no other part builds or runs a statement (issue 21).

Why a test and not an import-linter contract: import-linter sees an external package only as its top
level (``sqlalchemy``; "subpackages of external packages are not valid" in a forbidden contract), and
the engine rightly imports ``sqlalchemy.orm.Session`` and ``sqlalchemy.exc``. So this reads the source
with ``ast``: from SQLAlchemy only the session types, ``make_url`` and the exceptions may be imported,
and nothing calls ``execute`` / ``scalar`` / ``scalars`` / ``query`` / ``exec_driver_sql`` — the ways a
statement is run. A query the engine needs is a named function in ``db/queries/``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PARTS = ("engine", "workbench", "models")  # everything but db/
ALLOWED_IMPORTS = {
    "sqlalchemy.orm": {"Session", "sessionmaker"},
    "sqlalchemy.engine": {"make_url"},
    "sqlalchemy.exc": None,  # any exception type
}
STATEMENT_RUNNERS = {"execute", "scalar", "scalars", "query", "exec_driver_sql"}


def sql_outside_db(source: str, where: str) -> list[str]:
    """Each SQLAlchemy import beyond the allowed ones and each call that runs a statement, as
    ``where:line what``."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [
                f"{where}:{node.lineno} import {a.name}"
                for a in node.names
                if a.name == "sqlalchemy" or a.name.startswith("sqlalchemy.")
            ]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            allowed = ALLOWED_IMPORTS.get(node.module or "", set())
            found += [
                f"{where}:{node.lineno} from {node.module} import {a.name}"
                for a in node.names
                if allowed is not None and a.name not in allowed
            ]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in STATEMENT_RUNNERS
        ):
            found.append(f"{where}:{node.lineno} .{node.func.attr}(…)")
    return found


def test_the_check_sees_a_statement_built_and_run_outside_db() -> None:
    source = (
        "from sqlalchemy import select, update\n"
        "import sqlalchemy as sa\n"
        "from sqlalchemy.orm import Session, joinedload\n"
        "from sqlalchemy.exc import IntegrityError\n"
        "def f(session):\n"
        "    session.scalars(select(Clip))\n"
        "    session.execute(sa.text('DELETE FROM clips'))\n"
        "    session.query(Clip).all()\n"
    )
    assert sql_outside_db(source, "x.py") == [
        "x.py:1 from sqlalchemy import select",
        "x.py:1 from sqlalchemy import update",
        "x.py:2 import sqlalchemy",
        "x.py:3 from sqlalchemy.orm import joinedload",
        "x.py:6 .scalars(…)",
        "x.py:7 .execute(…)",
        "x.py:8 .query(…)",
    ]


def test_no_sql_outside_db() -> None:
    files = sorted(f for part in PARTS for f in (ROOT / part).rglob("*.py"))
    assert len(files) > 100  # the scan really reads the code
    found = [
        hit for f in files for hit in sql_outside_db(f.read_text(encoding="utf-8"), str(f.relative_to(ROOT)))
    ]
    assert found == [], "SQL belongs in db/queries/ (a named, typed query function):\n" + "\n".join(found)
