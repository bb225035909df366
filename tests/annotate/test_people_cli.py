"""``glimpse people``: the CLI (a local admin) adds the lab's first admin; bad names exit 2 in one line."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from db.schema import AuditEvent, Person
from db.session import session_scope
from engine.cli import app

runner = CliRunner()


def test_people_add_list_remove_and_refuse_bad_input(home: Path, db_url: str) -> None:
    added = runner.invoke(app, ["people", "add", "Ada@Lab.test", "ada", "--role", "admin"])
    assert added.exit_code == 0, added.output
    assert "ada@lab.test: ada (admin)" in added.output
    long = runner.invoke(app, ["people", "add", "x@lab.test", "x" * 10_000])
    assert long.exit_code == 2 and "10000 characters long" in long.output and "Traceback" not in long.output
    role = runner.invoke(app, ["people", "add", "b@lab.test", "bob", "--role", "boss"])
    assert role.exit_code == 2 and "role 'boss' is unknown" in role.output
    assert "ada@lab.test" in runner.invoke(app, ["people", "ls"]).output
    with session_scope(db_url) as s:
        assert s.scalars(select(Person.login)).all() == ["ada@lab.test"]
        assert s.scalars(select(AuditEvent.action)).all() == ["person"]
    assert runner.invoke(app, ["people", "rm", "ada@lab.test"]).exit_code == 0
    with session_scope(db_url) as s:
        assert s.scalars(select(Person)).all() == []
