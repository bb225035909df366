"""``glimpse people``: who may sign in to the workbench and with which role (the CLI acts as a local admin,
so this is how a lab's first admin is added)."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from engine import api
from engine.cli.common import user_errors

people_app = typer.Typer(
    help="People who may sign in (OpenID Connect) and their roles.", no_args_is_help=True
)
out = Console()


@people_app.command("add")
@user_errors
def add(
    login: str = typer.Argument(..., help="what the identity provider vouches for: their e-mail"),
    name: str = typer.Argument(..., help="the name their codings are saved under"),
    role: str = typer.Option("coder", "--role", "-r", help=f"one of {', '.join(api.ROLES)}"),
) -> None:
    """Add a person, or change the name / role of the one with this login (takes effect at their next
    request)."""
    person = api.put_person(api.local_actor(), login, name, role)
    out.print(f"{person.login}: {person.name} ({person.role})", highlight=False)


@people_app.command("ls")
@user_errors
def ls() -> None:
    """List the people and their roles."""
    table = Table("login", "name", "role", "changed by", "changed at")
    for p in api.list_people(api.local_actor()):
        table.add_row(p.login, p.name, p.role, p.updated_by, f"{p.updated_at:%Y-%m-%d %H:%M}")
    out.print(table)


@people_app.command("rm")
@user_errors
def rm(login: str = typer.Argument(..., help="the person's login")) -> None:
    """Remove a person: their next request is refused; their codings stay."""
    api.remove_person(api.local_actor(), login)
    out.print(f"removed {login}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(people_app, name="people")
