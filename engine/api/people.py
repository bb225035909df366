"""People and roles for the pages: sign-in, the people table an admin manages, the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db import people as _people
from engine.api.access import Actor, require
from engine.api.session import get_session


@dataclass(frozen=True)
class PersonInfo:
    login: str
    name: str
    role: str
    updated_by: str
    updated_at: datetime | None


def list_people(actor: Actor) -> list[PersonInfo]:
    """Everyone the catalog knows, by name (an admin's view: it manages them and assigns clips)."""
    with get_session() as session:
        require(session, actor, "manage_people")
        return [
            PersonInfo(p.login, p.name, p.role, p.updated_by, p.updated_at) for p in _people.people(session)
        ]


def put_person(actor: Actor, login: str, name: str, role: str) -> PersonInfo:
    """Add a person or change their name / role (admin only); takes effect at their next request."""
    with get_session() as session:
        fresh = require(session, actor, "manage_people")
        p = _people.put_person(session, login, name, role, by=fresh.name)
        return PersonInfo(p.login, p.name, p.role, p.updated_by, p.updated_at)


def remove_person(actor: Actor, login: str) -> None:
    """Remove a person (admin only): their next request is refused; their codings stay."""
    with get_session() as session:
        fresh = require(session, actor, "manage_people")
        _people.remove_person(session, login, by=fresh.name)
