"""Coders page (no sign-in configured: the local user is a local admin): add people, assign clips from a
dataset with a seeded sample and k coders per clip, see the progress, close the assignment; a role's
refusal shows as one message."""

from __future__ import annotations

from app_support import page  # type: ignore[import-not-found]
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from db.schema import Assignment, AssignmentItem
from db.session import session_scope
from engine import api


def _submit(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()


def test_admin_adds_coders_assigns_a_seeded_sample_and_closes_it(seeded) -> None:
    at = page("coders").run()
    assert not at.exception
    for login, name in (("alice@lab.test", "alice"), ("bob@lab.test", "bob")):
        at.text_input(key="person_login").input(login)
        at.text_input(key="person_name").input(name)
        at.selectbox(key="person_role").select("coder")
        _submit(at, "Add or update person")
        assert any(f"{name} ({login}) is now coder" in s.value for s in at.success)
    at.run()  # the form now offers both coders
    at.multiselect(key="assign_coders").set_value(["alice", "bob"])
    at.text_input(key="assign_name").input("pilot")
    at.selectbox(key="assign_dataset").select("synthetic-casme2")
    at.number_input(key="assign_sample").set_value(3)
    at.number_input(key="assign_seed").set_value(5)
    at.number_input(key="assign_k").set_value(2)
    _submit(at, "Assign")
    assert not at.error, [e.value for e in at.error]
    assert any("3 clips, 2 of 2 coders each" in s.value for s in at.success)
    expected = api.assignment_clips("synthetic-casme2", sample=3, seed=5)
    with session_scope(seeded.url) as s:
        assignment = s.scalar(select(Assignment))
        assert (assignment.name, assignment.blind, assignment.coders_per_clip) == ("pilot", True, 2)
        items = s.scalars(select(AssignmentItem.clip_id).where(AssignmentItem.coder == "alice")).all()
        assert sorted(items) == expected
    at.run()
    assert any(
        "0 of 6" in str(p.value) or "0 of 6" in str(getattr(p, "text", "")) for p in at.get("progress")
    )
    _submit(at, "Close (lift blind)")
    assert "closed by" in "\n".join(c.value for c in at.caption)


def test_a_bad_name_is_one_message_and_writes_nothing(seeded) -> None:
    at = page("coders").run()
    at.text_input(key="person_login").input("x@lab.test")
    at.text_input(key="person_name").input("x" * 10_000)
    _submit(at, "Add or update person")
    assert at.error and "10000 characters long" in at.error[0].value
    assert not at.exception
    assert api.list_people(api.local_actor()) == []


def test_code_next_makes_the_top_of_its_queue_an_assignment(seeded) -> None:
    admin = api.local_actor()
    for name in ("alice", "bob"):
        api.put_person(admin, f"{name}@lab.test", name, "coder")
    at = page("code_next").run()
    assert not at.exception
    at.selectbox(key="next_dataset").select("synthetic-casme2").run()
    queue = next(d.value for d in at.dataframe if "reasons" in d.value.columns)
    at.number_input(key="next_top").set_value(2)
    at.text_input(key="next_coders").input("alice, bob")
    at.number_input(key="next_k").set_value(1)
    _submit(at, "Assign")
    assert not at.error, [e.value for e in at.error]
    with session_scope(seeded.url) as s:
        assignment = s.scalar(select(Assignment))
        assert assignment.name == "code next synthetic-casme2 top 2" and assignment.blind
        items = s.execute(
            select(AssignmentItem.clip_id, AssignmentItem.coder).order_by(AssignmentItem.id)
        ).all()
    # the queue's first two clips, in its order, one coder each (round robin)
    assert [tuple(i) for i in items] == list(
        zip(queue.clip_id.head(2).tolist(), ["alice", "bob"], strict=True)
    )
    assert any(f"assignment {assignment.id} created" in s.value for s in at.success)
