"""Who may do what: the one permission check every write (and every coding read) of the facade makes.

Why here and not in the pages: a hidden button protects nothing, a page (or a script, or a later page)
calls the facade directly. Each write takes an ``Actor`` and calls ``require(session, actor, action)``
inside its transaction; for a signed-in person the role is read from the catalog at that moment, so a
role change (or a removal) takes effect at the next request and a forged ``Actor.role`` counts for
nothing. A local actor (the CLI; the workbench without sign-in, one person on a laptop) is an admin.

Blind coding is a read rule: a coder sees only their own codings of a clip while it is in an open blind
assignment of theirs (``blind_to``), and a coder may open only clips assigned to them (``require_clip``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType

from sqlalchemy.orm import Session

from db import assignments
from db.errors import NotAllowed
from db.people import checked_login, checked_name, local_user_name, person_by_login
from db.schema import ROLES
from engine.api.session import get_session

ADMIN, RESEARCHER, CODER, VIEWER = ROLES

# action → the roles allowed to do it (issue 18: admin ingests, deletes, assigns, manages people;
# researcher launches and cancels jobs, adjudicates, restores and closes; coder codes assigned clips)
PERMISSIONS = MappingProxyType(
    {
        "ingest": (ADMIN,),
        "delete": (ADMIN,),
        "assign": (ADMIN,),
        "manage_people": (ADMIN,),
        "launch_job": (ADMIN, RESEARCHER),
        "cancel_job": (ADMIN, RESEARCHER),
        "adjudicate": (ADMIN, RESEARCHER),
        "restore": (ADMIN, RESEARCHER),
        "close_assignment": (ADMIN, RESEARCHER),
        "code": (ADMIN, RESEARCHER, CODER),
        "view": ROLES,
    }
)


@dataclass(frozen=True)
class Actor:
    """Who is calling: ``name`` is what their codings are saved under; ``signed_in`` people have their
    ``role`` re-read from the catalog on every check, local actors are admins."""

    name: str
    role: str
    login: str
    signed_in: bool


def local_actor(name: str | None = None) -> Actor:
    """A local admin under a validated name (default: the operating-system user, as the CLI)."""
    checked = checked_name(name, "local name") if name is not None else local_user_name()
    return Actor(name=checked, role=ADMIN, login=checked, signed_in=False)


def sign_in(login: str) -> Actor:
    """The person the identity provider vouched for as ``login``; NotAllowed when the catalog does not
    know them (a stranger gets nothing)."""
    with get_session() as session:
        return current(session, Actor(name="", role=VIEWER, login=checked_login(login), signed_in=True))


def current(session: Session, actor: Actor) -> Actor:
    """The actor as the catalog has them now (a signed-in person's role read afresh)."""
    if not actor.signed_in:
        return actor
    person = person_by_login(session, actor.login)
    if person is None:
        raise NotAllowed(
            f"{actor.login} is not a person of this catalog",
            hint="ask an admin to add you, then sign in again",
        )
    return replace(actor, name=person.name, role=person.role)


def require(session: Session, actor: Actor, action: str) -> Actor:
    """The actor (role read afresh) if their role may do ``action``; NotAllowed otherwise."""
    fresh = current(session, actor)
    if fresh.role not in PERMISSIONS[action]:
        allowed = " or ".join(PERMISSIONS[action])
        raise NotAllowed(
            f"{fresh.name} ({fresh.role}) may not {action.replace('_', ' ')}", hint=f"needs {allowed}"
        )
    return fresh


def require_clip(session: Session, actor: Actor, clip_id: int, action: str = "view") -> Actor:
    """``require`` plus, for a coder, the clip being assigned to them (a URL to another clip is refused)."""
    fresh = require(session, actor, action)
    if fresh.role == CODER and not assignments.is_assigned(session, fresh.name, clip_id):
        raise NotAllowed(
            f"clip {clip_id} is not assigned to {fresh.name}", hint="open a clip from your queue"
        )
    return fresh


def blind_to(session: Session, actor: Actor, clip_id: int) -> bool:
    """True when ``actor`` may see only their own coding of the clip (a coder in an open blind assignment)."""
    return actor.role == CODER and assignments.blind_for(session, actor.name, clip_id)


def visible(session: Session, actor: Actor, clip_id: int, annotator: str) -> bool:
    """Whether ``annotator``'s coding of the clip may be shown to ``actor`` (``actor`` already fresh): a
    coder sees their own codings, and others' only on clips assigned to them that are not blind now."""
    if actor.role != CODER or annotator == actor.name:
        return True
    return assignments.is_assigned(session, actor.name, clip_id) and not blind_to(session, actor, clip_id)
