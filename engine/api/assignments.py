"""Assignments for the pages: an admin hands clips to coders (k per clip), each coder walks their queue,
a researcher closes an assignment (which lifts its blindness).

``create_assignment`` takes an explicit list of clip ids (what any ranked "code next" list becomes in
one call); ``assignment_clips`` turns the usual choices (a dataset, some subjects, a random sample of N
with a seed, a spotting run's accepted intervals) into such a list, reproducibly.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db import assignments as _assignments
from db import queries
from db.assignments import QueueItem
from db.queries import dataset_named
from engine.api.access import Actor, current, require
from engine.api.session import get_session
from engine.errors import GlimpseError

__all__ = [
    "AssignmentInfo",
    "QueueItem",
    "assignment_clips",
    "assignments",
    "close_assignment",
    "create_assignment",
    "my_queue",
]


@dataclass(frozen=True)
class AssignmentInfo:
    id: int
    name: str
    blind: bool
    coders_per_clip: int
    items: int
    done: int
    created_by: str
    created_at: datetime
    closed_by: str | None
    closed_at: datetime | None
    spec: dict[str, Any]

    @property
    def progress(self) -> str:
        return f"{self.done} of {self.items}"


def assignment_clips(
    dataset: str | None = None,
    subjects: Sequence[str] = (),
    sample: int | None = None,
    seed: int = 0,
    spot_run: str | None = None,
) -> list[int]:
    """Clip ids to assign: a dataset's present clips (optionally of some subject codes), or the
    recordings holding intervals accepted from a spotting run; then, with ``sample``, N of them drawn
    with ``seed`` (the same seed draws the same clips), in id order."""
    with get_session() as session:
        if spot_run:
            ids = _assignments.clips_with_accepted_spots(session, spot_run)
        elif dataset:
            found = dataset_named(session, dataset)
            codes = {s.code: s.id for s in found.subjects}
            if unknown := [s for s in subjects if s not in codes]:
                raise GlimpseError(f"dataset {dataset!r} has no subjects {unknown}")
            ids = queries.clip_ids_of(session, found.id, [codes[s] for s in subjects])
        else:
            raise GlimpseError("pick a dataset or a spotting run to assign clips from")
    if sample is not None:
        if sample < 1:
            raise GlimpseError(f"a sample of {sample} clips is empty", hint="sample at least 1")
        ids = sorted(random.Random(seed).sample(ids, min(sample, len(ids))))
    return ids


def create_assignment(
    actor: Actor,
    name: str,
    clip_ids: Sequence[int],
    coders: Sequence[str],
    coders_per_clip: int = 2,
    *,
    blind: bool = True,
    spec: dict[str, Any] | None = None,
) -> int:
    """Assign ``clip_ids`` (in this order) to ``coders_per_clip`` of ``coders`` each (admin only); its id.
    Blind by default: each coder sees only their own coding of these clips until it is closed."""
    with get_session() as session:
        fresh = require(session, actor, "assign")
        spec = {"clips": "explicit list"} if spec is None else dict(spec)
        created = _assignments.create(
            session, name, clip_ids, coders, int(coders_per_clip), blind, spec, fresh.name
        )
        return int(created.id)


def close_assignment(actor: Actor, assignment_id: int) -> None:
    """Close an assignment (researcher or admin): its coders may now see each other's and the release's
    coding, and it leaves their queues."""
    with get_session() as session:
        fresh = require(session, actor, "close_assignment")
        _assignments.close(session, assignment_id, fresh.name)


def assignments(actor: Actor) -> list[AssignmentInfo]:
    """Every assignment with its progress, newest first (researchers and admins)."""
    with get_session() as session:
        require(session, actor, "close_assignment")
        return [
            AssignmentInfo(
                a.id,
                a.name,
                a.blind,
                a.coders_per_clip,
                n,
                done,
                a.created_by,
                a.created_at,
                a.closed_by,
                a.closed_at,
                dict(a.spec or {}),
            )  # fmt: skip
            for a, n, done in _assignments.listing(session)
        ]


def my_queue(actor: Actor) -> list[QueueItem]:
    """The actor's clips in open assignments, in order, each marked done once they saved a coding."""
    with get_session() as session:
        fresh = current(session, actor)
        return _assignments.queue(session, fresh.name)
