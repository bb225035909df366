"""Roles are checked in engine.api (called here as each role, through the functions the pages call),
blind coding hides the release's and the other coders' codings, names are validated before any write.

Each expected set of roles is written out here, not read from ``access.PERMISSIONS``: deleting a
``require`` (or widening a role) makes a test fail.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.queries import add_interval
from db.schema import (
    Annotation,
    AnnotationVersion,
    Assignment,
    AuditEvent,
    Clip,
    Dataset,
    Job,
    Person,
    Subject,
)
from db.session import session_scope
from engine import api
from engine.annotate import store
from engine.api.annotation_versions import save_as
from engine.errors import GlimpseError, NotAllowed

FIRST, LAST = 100, 120
ROLES = ("admin", "researcher", "coder", "viewer")


def _catalog(url: str, n_clips: int = 4) -> list[int]:
    """A dataset of ``n_clips`` clips, each with the release's coding (clip columns and a ``source`` row)."""
    with session_scope(url) as s:
        ds = Dataset(name="toy", format="casme2", root="/nowhere", fps=200.0)
        sub = Subject(dataset=ds, code="sub01")
        clips = [
            Clip(dataset=ds, subject=sub, name=f"EP{i}", path=f"EP{i}", n_frames=21, first_frame=FIRST,
                 last_frame=LAST, onset=101, apex=105, offset=110, action_units="12", emotion_raw="happiness",
                 label="positive")
            for i in range(n_clips)
        ]  # fmt: skip
        s.add_all([ds, sub, *clips])
        s.flush()
        for clip in clips:
            coding = {"onset": 101, "apex": 105, "offset": 110, "action_units": "12", "emotion": "happiness"}
            s.add(
                Annotation(
                    clip_id=clip.id, annotator="source", label="positive", updated_by="source", **coding
                )
            )
        return [c.id for c in clips]


def _people(url: str, **roles: str) -> dict[str, api.Actor]:
    """People named after their role key (``alice="coder"``), signed in through the facade."""
    with session_scope(url) as s:
        for name, role in roles.items():
            s.add(Person(login=f"{name}@lab.test", name=name, role=role))
    return {name: api.sign_in(f"{name}@lab.test") for name in roles}


@pytest.fixture()
def lab(home: Path, db_url: str) -> tuple[str, list[int], dict[str, api.Actor]]:
    clips = _catalog(db_url)
    people = _people(db_url, ada="admin", rita="researcher", alice="coder", bob="coder", vic="viewer")
    api.create_assignment(people["ada"], "first", clips[:2], ["alice", "bob"], 2)
    api.save_marks(people["rita"], clips[2], MARKS, None)  # a version 1 to restore
    return db_url, clips, people


def _count(url: str, what) -> int:  # noqa: ANN001
    with session_scope(url) as s:
        return int(s.scalar(select(func.count()).select_from(what)) or 0)


MARKS = api.Marks(102, 106, 111, "12", "happiness")


def _writes(url: str, clips: list[int]) -> dict[str, tuple[Callable[[api.Actor], object], tuple[str, ...]]]:
    """Each write the pages can make, with the roles that may make it (issue 18, written out)."""
    consensus = api.Consensus(101, 105, 110, "happiness", "12", "by test")
    return {
        "code": (lambda a: api.save_marks(a, clips[0], MARKS, None, overwrite=True), ROLES[:3]),
        "adjudicate": (lambda a: api.save_consensus(a, clips[0], consensus), ("admin", "researcher")),
        "ingest": (lambda a: api.enqueue_job(a, "synth", {"tiny": True}, start_worker=False), ("admin",)),
        "launch": (
            lambda a: api.enqueue_job(a, "sleep", {"seconds": 0}, start_worker=False),
            ("admin", "researcher"),
        ),
        "assign": (lambda a: api.create_assignment(a, "more", clips[2:], ["alice"], 1), ("admin",)),
        "code_next": (lambda a: api.assign_code_next(a, clips[2:], ["alice", "bob"], 2), ("admin",)),
        "people": (lambda a: api.put_person(a, "new@lab.test", f"new {a.role}", "viewer"), ("admin",)),
        "restore": (lambda a: api.restore_version(a, clips[2], "rita", 1), ("admin", "researcher")),
    }


@pytest.mark.parametrize(
    "write", ["code", "adjudicate", "ingest", "launch", "assign", "code_next", "people", "restore"]
)
@pytest.mark.parametrize("role", ROLES)
def test_each_write_is_allowed_to_exactly_its_roles(lab, write: str, role: str) -> None:
    url, clips, people = lab
    actor = {"admin": "ada", "researcher": "rita", "coder": "alice", "viewer": "vic"}[role]
    call, allowed = _writes(url, clips)[write]
    tables = (AnnotationVersion, Job, Assignment, Person)
    before = {t.__name__: _count(url, t) for t in tables}
    if role in allowed:
        call(people[actor])
        assert {t.__name__: _count(url, t) for t in tables} != before  # something was written
    else:
        with pytest.raises(NotAllowed, match=f"{actor} \\({role}\\) may not"):
            call(people[actor])
        assert {t.__name__: _count(url, t) for t in tables} == before  # nothing was


def test_cancel_and_close_need_a_researcher(lab) -> None:
    url, _, people = lab
    job = api.enqueue_job(people["rita"], "sleep", {"seconds": 0}, start_worker=False)
    with pytest.raises(NotAllowed):
        api.cancel_job(people["alice"], job)
    assert api.cancel_job(people["rita"], job) == "cancelled"
    with session_scope(url) as s:
        assert s.get(Job, job).submitted_by == "rita"
    first = api.assignments(people["rita"])[0]
    with pytest.raises(NotAllowed):
        api.close_assignment(people["bob"], first.id)
    api.close_assignment(people["rita"], first.id)
    assert api.assignments(people["ada"])[0].closed_by == "rita"


def test_the_top_of_the_code_next_queue_becomes_a_blind_assignment(lab) -> None:
    _, clips, people = lab
    new = api.assign_code_next(people["ada"], [clips[3], clips[2]], ["alice", "bob"], 1, name="next")
    made = next(a for a in api.assignments(people["rita"]) if a.id == new)
    assert (made.name, made.blind, made.coders_per_clip, made.items) == ("next", True, 1, 2)
    assert made.spec["clips"] == "code next"
    # queue order kept, round robin: alice gets the first clip of the queue, bob the second
    assert [q.clip_id for q in api.my_queue(people["alice"])][-1] == clips[3]
    assert [q.clip_id for q in api.my_queue(people["bob"])][-1] == clips[2]
    with pytest.raises(GlimpseError, match="the queue is empty"):
        api.assign_code_next(people["ada"], [], ["alice"], 1)


def test_a_consensus_records_the_actor_who_saved_it(lab) -> None:
    _, clips, people = lab
    ritas = next(c for c in api.full_codings(people["rita"], clip_id=clips[2]) if c.annotator == "rita")
    with pytest.raises(NotAllowed, match="rita may not save a decision made by ada"):
        api.save_consensus(people["rita"], clips[2], api.adopt(ritas, "ada"))
    api.save_consensus(people["rita"], clips[2], api.adopt(ritas, "rita"))
    consensus = next(c for c in api.clip_history(people["ada"], clips[2]) if c.annotator == "consensus")
    assert consensus.saved_by == "rita"


def test_a_coder_cannot_save_as_someone_else(lab) -> None:
    url, clips, people = lab
    with pytest.raises(NotAllowed, match="alice may not save as bob"):
        save_as(people["alice"], "code", clips[0], "bob", MARKS, None)
    # a forged actor: the name and role come from the catalog by login, not from the object
    forged = api.Actor(name="bob", role="admin", login="alice@lab.test", signed_in=True)
    with pytest.raises(NotAllowed):
        api.save_marks(forged, clips[0], MARKS, None)
    with pytest.raises(NotAllowed):
        api.put_person(forged, "x@lab.test", "x", "admin")
    with session_scope(url) as s:
        assert s.scalars(select(Annotation.annotator).where(Annotation.clip_id == clips[0])).all() == [
            "source"
        ]
    saved = api.save_marks(people["alice"], clips[0], MARKS, None)
    assert (saved.annotator, saved.updated_by) == ("alice", "alice")


def test_role_changes_and_removal_take_effect_at_the_next_call(lab) -> None:
    _, clips, people = lab
    alice = people["alice"]  # the object the page holds from the last request
    api.save_marks(alice, clips[0], MARKS, None)
    api.put_person(people["ada"], "alice@lab.test", "alice", "viewer")
    with pytest.raises(NotAllowed, match=r"alice \(viewer\) may not code"):
        api.save_marks(alice, clips[0], MARKS, 1)
    api.remove_person(people["ada"], "alice@lab.test")
    with pytest.raises(NotAllowed, match="not a person of this catalog"):
        api.clip_detail(clips[0], alice)
    with pytest.raises(NotAllowed, match="not a person of this catalog"):
        api.sign_in("stranger@elsewhere.test")


def test_a_coder_opens_only_assigned_clips(lab) -> None:
    _, clips, people = lab
    unassigned = clips[3]
    for read in (
        lambda: api.clip_detail(unassigned, people["alice"]),
        lambda: api.clip_annotations(people["alice"], unassigned),
        lambda: api.coding_tracks(people["alice"], unassigned),
        lambda: api.clip_history(people["alice"], unassigned),
        lambda: api.save_marks(people["alice"], unassigned, MARKS, None),
    ):
        with pytest.raises(NotAllowed, match=f"clip {unassigned} is not assigned to alice"):
            read()
    assert api.clip_detail(unassigned, people["vic"]).label == "positive"  # a viewer views


def test_blind_until_a_researcher_closes_the_assignment(lab) -> None:
    _, clips, people = lab
    alice, bob, rita = people["alice"], people["bob"], people["rita"]
    clip = clips[0]
    api.save_marks(alice, clip, MARKS, None)
    # bob sees neither the release's coding nor alice's: detail, table, tracks, codings, history
    detail = api.clip_detail(clip, bob)
    assert (detail.label, detail.emotion, detail.marks, detail.action_units) == (
        None, "", {"onset": None, "apex": None, "offset": None}, "",
    )  # fmt: skip
    assert detail.coding_hidden and not api.clip_detail(clip, rita).coding_hidden  # the page says so
    assert api.clip_annotations(bob, clip).empty
    assert api.coding_tracks(bob, clip) == []
    assert api.full_codings(bob, clip_id=clip) == []
    assert [c.annotator for c in api.codings(bob)] == []
    assert api.clip_history(bob, clip) == []
    # nor through the agreement table or the code-next queue (the coder terms count what he may see)
    assert max(row.clips for row in api.agreement(bob, ["alice", "source"]).rows) == 0
    assert max(row.clips for row in api.agreement(rita, ["alice", "source"]).rows) == 1
    queue = api.code_next_table(bob, "toy", limit=None).set_index("clip_id")
    assert bool(queue.uncoded[clip]) and "alice" not in queue.reasons[clip]
    assert not api.code_next_table(rita, "toy", limit=None).set_index("clip_id").uncoded[clip]
    # alice sees her own only; the researcher sees everyone
    assert list(api.clip_annotations(alice, clip).annotator) == ["alice"]
    assert [t.name for t in api.coding_tracks(alice, clip)] == ["alice"]
    assert sorted(api.clip_annotations(rita, clip).annotator) == ["alice", "source"]
    assert api.clip_detail(clip, rita).label == "positive"
    # the queue: two clips each, alice has coded one
    assert [(q.clip_id, q.done) for q in api.my_queue(alice)] == [(clips[0], True), (clips[1], False)]
    assert api.assignments(rita)[0].progress == "1 of 4"
    api.close_assignment(rita, api.assignments(rita)[0].id)
    assert sorted(api.clip_annotations(bob, clip).annotator) == ["alice", "source"]
    assert api.clip_detail(clip, bob).apex == 105 and not api.clip_detail(clip, bob).coding_hidden
    assert api.my_queue(bob) == []  # a closed assignment leaves the queue


def test_history_keeps_every_version_and_a_researcher_restores_one(lab) -> None:
    url, clips, people = lab
    alice, rita = people["alice"], people["rita"]
    first = api.save_marks(alice, clips[1], api.Marks(101, 104, 110, "12", "happiness"), None)
    api.save_marks(alice, clips[1], api.Marks(101, 107, 110, "12+14", "happiness"), first.version)
    history = [c for c in api.clip_history(rita, clips[1]) if c.annotator == "alice"]
    assert [(c.version, c.saved_by) for c in history] == [(1, "alice"), (2, "alice")]
    assert history[1].changes == {"apex": (104, 107), "action_units": ("12", "12+14")}
    with pytest.raises(NotAllowed):
        api.restore_version(alice, clips[1], "alice", 1)
    restored = api.restore_version(rita, clips[1], "alice", 1)
    assert (restored.version, restored.updated_by) == (3, "rita")
    last = api.clip_history(rita, clips[1])[-1]
    assert (last.version, last.restored_from, last.changes["apex"]) == (3, 1, (107, 104))
    with session_scope(url) as s:
        row = s.scalar(
            select(Annotation).where(Annotation.annotator == "alice", Annotation.clip_id == clips[1])
        )
        assert (row.apex, row.action_units, row.version) == (104, "12", 3)


def test_assignment_shares_clips_round_robin_and_samples_reproducibly(lab) -> None:
    url, clips, people = lab
    api.put_person(people["ada"], "carol@lab.test", "carol", "coder")
    new = api.create_assignment(people["ada"], "three", clips, ["alice", "bob", "carol"], 2, blind=False)
    with session_scope(url) as s:
        items = s.get(Assignment, new).items
        per_clip = {c: sorted(i.coder for i in items if i.clip_id == c) for c in clips}
    assert all(len(set(coders)) == 2 for coders in per_clip.values())
    assert sorted(sum(per_clip.values(), [])).count("carol") in (2, 3)
    sample = api.assignment_clips("toy", sample=2, seed=7)
    assert sample == api.assignment_clips("toy", sample=2, seed=7) and len(sample) == 2
    assert api.assignment_clips("toy", subjects=["sub01"]) == clips
    with pytest.raises(GlimpseError, match="3 coders per clip, but 2 coder"):
        api.create_assignment(people["ada"], "bad", clips, ["alice", "bob"], 3)
    with pytest.raises(GlimpseError, match="'rita' is not a coder"):
        api.create_assignment(people["ada"], "bad", clips, ["rita"], 1)
    with session_scope(url) as s:
        actions = s.scalars(select(AuditEvent.action)).all()
    assert actions.count("assign") == 2 and "person" in actions


LONG = "x" * 10_000


def test_over_long_and_odd_names_are_refused_on_every_backend(backend_url: str) -> None:
    clips = _catalog(backend_url, 1)
    for bad, why in ((LONG, "10000 characters long"), ("a\x00b", "characters a name may not have"),
                     ("  ", "is empty"), ("<script>", "characters")):  # fmt: skip
        with pytest.raises(GlimpseError, match=why):
            api.local_actor(bad)
        with pytest.raises(GlimpseError, match=why):
            store.save(clips[0], bad, MARKS, None)  # below the facade too: the catalog's own check
    admin = api.local_actor("ada")
    with pytest.raises(GlimpseError, match="10000 characters long"):
        api.put_person(admin, "long@lab.test", LONG, "coder")
    with pytest.raises(GlimpseError, match="login"):
        api.put_person(admin, LONG, "ok", "coder")
    with pytest.raises(GlimpseError, match="10000 characters long"):
        api.create_assignment(admin, LONG, clips, [], 1)
    with session_scope(backend_url) as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 0
        assert s.scalars(select(Annotation.annotator)).all() == ["source"]
    assert api.save_marks(api.local_actor("José Núñez"), clips[0], MARKS, None).annotator == "José Núñez"


def test_a_spotting_runs_accepted_intervals_become_clips_to_assign(lab) -> None:
    url, clips, people = lab
    with session_scope(url) as s:
        video = s.get(Clip, clips[3])
        video.kind = "recording"
        for run, onset in (("run-a", 101), ("run-b", 105)):
            add_interval(
                s, video.id, "rita", onset, onset + 3, "micro", provenance={"method": "m", "run": run}
            )
    assert api.assignment_clips(spot_run="run-a") == [clips[3]]
    assert api.assignment_clips(spot_run="run-z") == []
    with pytest.raises(GlimpseError, match="pick a dataset or a spotting run"):
        api.assignment_clips()
