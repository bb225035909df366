"""Coders page: the people who may sign in and their roles (admin), assigning clips to coders with k
coders per clip, blind by default (admin), and each assignment's progress, closed by a researcher.

Every action here is checked again in ``engine.api`` (this page only offers what a role may do)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine import api
from engine.errors import GlimpseError
from workbench import identity, state


def _people(actor: api.Actor) -> list[api.PersonInfo]:
    st.subheader("People")
    people = api.list_people(actor)
    st.dataframe(
        pd.DataFrame(
            [p.__dict__ for p in people], columns=["login", "name", "role", "updated_by", "updated_at"]
        ),
        hide_index=True,
        key="people_table",
    )
    with st.form("person_form"):
        c = st.columns([3, 2, 2])
        login = c[0].text_input("login (the e-mail the identity provider gives)", key="person_login")
        name = c[1].text_input("name (codings are saved under it)", key="person_name")
        role = c[2].selectbox("role", api.ROLES, index=2, key="person_role")
        if st.form_submit_button("Add or update person"):
            api.put_person(actor, login, name, role)
            st.success(f"{name} ({login}) is now {role}; it takes effect at their next request")
    return people


def _assign(actor: api.Actor, people: list[api.PersonInfo]) -> None:
    st.subheader("Assign clips")
    coders = [p.name for p in people if p.role == "coder"]
    if not coders:
        st.caption("Add people with role **coder** first.")
        return
    with st.form("assign_form"):
        c = st.columns(3)
        name = c[0].text_input("assignment name", key="assign_name")
        source = c[1].radio("clips from", ["dataset", "spotting run"], horizontal=True, key="assign_source")
        picked = c[2].multiselect("coders", coders, default=coders, key="assign_coders")
        d = st.columns(4)
        dataset = d[0].selectbox("dataset", [ds.name for ds in api.datasets()], key="assign_dataset")
        subjects = d[1].text_input("subjects (codes, comma-separated; empty = all)", key="assign_subjects")
        sample = d[2].number_input("random sample of N clips (0 = all)", 0, step=1, key="assign_sample")
        seed = d[3].number_input("seed", 0, step=1, key="assign_seed")
        e = st.columns(3)
        runs: list[str | None] = [r.id for r in api.spotting_runs()] or [None]
        run = e[0].selectbox("spotting run", runs, key="assign_run")
        k = e[1].number_input("coders per clip", 1, max(1, len(coders)), min(2, len(coders)), key="assign_k")
        blind = e[2].checkbox(
            "blind (hide the release's and the other coders' codings)", True, key="assign_blind"
        )
        if st.form_submit_button("Assign"):
            codes = [s.strip() for s in subjects.split(",") if s.strip()]
            spec = (
                {"spot_run": run}
                if source == "spotting run"
                else {"dataset": dataset, "subjects": codes, "sample": int(sample) or None, "seed": int(seed)}
            )
            clip_ids = api.assignment_clips(**spec)
            new = api.create_assignment(actor, name, clip_ids, picked, int(k), blind=blind, spec=spec)
            st.success(f"assignment #{new}: {len(clip_ids)} clips, {int(k)} of {len(picked)} coders each")


def _assignments(actor: api.Actor) -> None:
    st.subheader("Assignments")
    rows = api.assignments(actor)
    if not rows:
        st.caption("none yet")
        return
    for a in rows:
        c = st.columns([4, 2, 2, 2])
        status = f"closed by {a.closed_by}" if a.closed_at else ("open · blind" if a.blind else "open")
        c[0].markdown(f"**#{a.id} {a.name}** · {a.coders_per_clip} coders per clip · by {a.created_by}")
        c[1].progress(a.done / max(1, a.items), text=f"{a.progress} codings")
        c[2].caption(status)
        if a.closed_at is None and c[3].button("Close (lift blind)", key=f"assign_close_{a.id}"):
            api.close_assignment(actor, a.id)
            st.rerun()


def render() -> None:
    st.title("Coders")
    try:
        actor = identity.viewer()
        people = _people(actor) if actor.role == "admin" else []
        if actor.role == "admin":
            _assign(actor, people)
        _assignments(actor)
    except GlimpseError as error:
        state.show_error(error)
