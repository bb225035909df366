"""Assignments: clips handed to coders (k per clip), each coder's queue, and what a coder may see.

A coder's queue is their items of open assignments, in assignment then position order; an item is done
once the coder has an annotation of that clip. Blind is a property of the assignment: while it is open,
the coders on its clips see only their own codings there (``blind_for``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from db.errors import GlimpseError
from db.people import checked_name, record
from db.queries.recordings import intervals_accepted_from
from db.schema import Annotation, Assignment, AssignmentItem, Clip, Person, utcnow


@dataclass(frozen=True)
class QueueItem:
    assignment_id: int
    assignment: str
    clip_id: int
    position: int
    done: bool
    blind: bool


def create(
    session: Session,
    name: str,
    clip_ids: Sequence[int],
    coders: Sequence[str],
    coders_per_clip: int,
    blind: bool,
    spec: dict[str, Any],
    by: str,
) -> Assignment:
    """Hand ``clip_ids`` (in that order) to ``coders_per_clip`` of ``coders`` each, round robin so every
    coder gets an equal share; flushes, does not commit. Coders must be people with role ``coder``."""
    name = checked_name(name, "assignment name")
    ids = list(dict.fromkeys(int(c) for c in clip_ids))
    if not ids:
        raise GlimpseError("the assignment has no clips", hint="pick a dataset, subjects or a run with clips")
    coders = list(dict.fromkeys(coders))
    known = {p.name: p.role for p in session.scalars(select(Person).where(Person.name.in_(coders)))}
    for coder in coders:
        if known.get(coder) != "coder":
            raise GlimpseError(f"{coder!r} is not a coder", hint="add them as a person with role coder")
    if not 1 <= coders_per_clip <= len(coders):
        raise GlimpseError(
            f"{coders_per_clip} coders per clip, but {len(coders)} coder(s) picked",
            hint="pick at least as many coders as coders per clip",
        )
    found = set(session.scalars(select(Clip.id).where(Clip.id.in_(ids))))
    if missing := [c for c in ids if c not in found]:
        raise GlimpseError(f"clips {missing[:10]} are not in the catalog")
    assignment = Assignment(name=name, blind=blind, coders_per_clip=coders_per_clip, spec=spec, created_by=by)
    session.add(assignment)
    session.flush()
    positions = dict.fromkeys(coders, 0)
    slot = 0
    for clip_id in ids:
        for _ in range(coders_per_clip):
            coder = coders[slot % len(coders)]
            slot += 1
            session.add(
                AssignmentItem(
                    assignment_id=assignment.id, clip_id=clip_id, coder=coder, position=positions[coder]
                )
            )
            positions[coder] += 1
    record(session, by, "assign", f"assignment {assignment.id}", {"clips": len(ids), "coders": coders})
    session.flush()
    return assignment


def get(session: Session, assignment_id: int) -> Assignment:
    found = session.get(Assignment, int(assignment_id))
    if found is None:
        raise GlimpseError(f"assignment {assignment_id} does not exist")
    return found


def close(session: Session, assignment_id: int, by: str) -> Assignment:
    """Close an assignment: its codings are no longer hidden from its coders."""
    assignment = get(session, assignment_id)
    if assignment.closed_at is None:
        assignment.closed_at, assignment.closed_by = utcnow(), by
        record(session, by, "close_assignment", f"assignment {assignment.id}")
        session.flush()
    return assignment


def listing(session: Session) -> list[tuple[Assignment, int, int]]:
    """(assignment, items, items done) of every assignment, newest first."""
    done_clause = exists().where(
        and_(Annotation.clip_id == AssignmentItem.clip_id, Annotation.annotator == AssignmentItem.coder)
    )
    per = select(AssignmentItem.assignment_id, func.count(AssignmentItem.id)).group_by(
        AssignmentItem.assignment_id
    )
    totals = {int(a): int(n) for a, n in session.execute(per)}
    finished = {int(a): int(n) for a, n in session.execute(per.where(done_clause))}
    counts = {a: (n, finished.get(a, 0)) for a, n in totals.items()}
    rows = session.scalars(select(Assignment).order_by(Assignment.id.desc()))
    return [(a, *counts.get(a.id, (0, 0))) for a in rows]


def queue(session: Session, coder: str) -> list[QueueItem]:
    """The coder's items of open assignments, in assignment then position order."""
    done = exists().where(and_(Annotation.clip_id == AssignmentItem.clip_id, Annotation.annotator == coder))
    stmt = (
        select(
            Assignment.id,
            Assignment.name,
            AssignmentItem.clip_id,
            AssignmentItem.position,
            done,
            Assignment.blind,
        )
        .join(Assignment, Assignment.id == AssignmentItem.assignment_id)
        .where(AssignmentItem.coder == coder, Assignment.closed_at.is_(None))
        .order_by(Assignment.id, AssignmentItem.position)
    )
    return [
        QueueItem(int(a), str(n), int(c), int(p), bool(d), bool(b))
        for a, n, c, p, d, b in session.execute(stmt)
    ]


def is_assigned(session: Session, coder: str, clip_id: int) -> bool:
    """True when the clip is in any assignment (open or closed) of this coder."""
    stmt = select(AssignmentItem.id).where(
        AssignmentItem.coder == coder, AssignmentItem.clip_id == int(clip_id)
    )
    return session.scalar(stmt.limit(1)) is not None


def blind_for(session: Session, coder: str, clip_id: int) -> bool:
    """True when the clip is in an open blind assignment of this coder: others' codings stay hidden."""
    stmt = (
        select(AssignmentItem.id)
        .join(Assignment, Assignment.id == AssignmentItem.assignment_id)
        .where(
            AssignmentItem.coder == coder,
            AssignmentItem.clip_id == int(clip_id),
            Assignment.blind.is_(True),
            Assignment.closed_at.is_(None),
        )
    )
    return session.scalar(stmt.limit(1)) is not None


def clips_with_accepted_spots(session: Session, run_id: str) -> list[int]:
    """Recordings holding intervals accepted from spotting run ``run_id`` (their provenance names it)."""
    return sorted({interval.clip_id for interval in intervals_accepted_from(session, run_id)})
