"""People and their roles, name rules, and the audit of writes that leave no row of their own.

Names are identifiers (``annotations.annotator`` holds them): the rule is checked here, in Python, before
any INSERT, so a 10,000-character or control-character name is the same clear refusal on SQLite (which
would store it) and PostgreSQL (which would fail mid-transaction).
"""

from __future__ import annotations

import getpass
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.errors import GlimpseError
from db.schema import ROLES, AuditEvent, Person, utcnow

NAME_MAX = 64
LOGIN_MAX = 254
# a letter or digit first, then letters, digits, space . _ ' @ - (Unicode letters welcome: "José Núñez")
_NAME = re.compile(r"[^\W_][\w .'@-]*")
_LOGIN = re.compile(r"[^\s\x00-\x1f\x7f]+")
RESERVED_NAMES = ("source", "consensus")  # the release's coding and the adjudicated one


def checked_name(value: str | None, what: str = "name") -> str:
    """``value`` trimmed, or a GlimpseError saying what is wrong with it (empty, too long, odd characters)."""
    name = (value or "").strip()
    if not name:
        raise GlimpseError(f"the {what} is empty", hint="type a name")
    if len(name) > NAME_MAX:
        raise GlimpseError(f"the {what} is {len(name)} characters long", hint=f"at most {NAME_MAX}")
    if not _NAME.fullmatch(name):
        raise GlimpseError(
            f"the {what} {name[:40]!r} has characters a name may not have",
            hint="letters, digits, space and . _ ' @ - only, starting with a letter or digit",
        )
    return name


def local_user_name() -> str:
    """The operating-system user, as the name the CLI's writes are recorded under (the CLI is a local
    admin: whoever can run it can open the catalog file anyway); ``local`` when it is not a valid name."""
    try:
        return checked_name(getpass.getuser())
    except (GlimpseError, OSError, KeyError):
        return "local"


def checked_login(value: str | None) -> str:
    login = (value or "").strip()
    if not login or len(login) > LOGIN_MAX or not _LOGIN.fullmatch(login):
        raise GlimpseError(
            f"the login {login[:40]!r} is not usable", hint=f"1–{LOGIN_MAX} characters, no spaces"
        )
    return login.lower()


def checked_role(role: str) -> str:
    if role not in ROLES:
        raise GlimpseError(f"role {role!r} is unknown", hint=f"one of {', '.join(ROLES)}")
    return role


def person_by_login(session: Session, login: str) -> Person | None:
    return session.scalar(select(Person).where(Person.login == login.strip().lower()))


def person_by_name(session: Session, name: str) -> Person | None:
    return session.scalar(select(Person).where(Person.name == name))


def people(session: Session) -> list[Person]:
    return list(session.scalars(select(Person).order_by(Person.name)))


def put_person(session: Session, login: str, name: str, role: str, by: str) -> Person:
    """Add a person, or change the name / role of the one with this login; flushes, does not commit."""
    login, role = checked_login(login), checked_role(role)
    name = checked_name(name, "person's name")
    if name in RESERVED_NAMES:
        raise GlimpseError(f"{name!r} is reserved for the {name} coding", hint="pick another name")
    person = person_by_login(session, login)
    holder = person_by_name(session, name)
    if holder is not None and holder is not person:
        raise GlimpseError(f"the name {name!r} belongs to {holder.login}", hint="pick another name")
    if person is None:
        person = Person(login=login, name=name, role=role, updated_by=by)
        session.add(person)
    else:
        person.name, person.role, person.updated_by, person.updated_at = name, role, by, utcnow()
    record(session, by, "person", login, {"name": name, "role": role})
    session.flush()
    return person


def remove_person(session: Session, login: str, by: str) -> None:
    person = person_by_login(session, login)
    if person is None:
        raise GlimpseError(f"no person with login {login!r}")
    session.delete(person)
    record(session, by, "person_removed", login, {"name": person.name})
    session.flush()


def record(
    session: Session, actor: str, action: str, target: str, detail: dict[str, Any] | None = None
) -> None:
    """One audit row: who did what to which thing (the caller's transaction commits it with the write)."""
    session.add(AuditEvent(actor=actor, action=action, target=target, detail=detail or {}))


def audit_events(session: Session, limit: int = 200) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))
