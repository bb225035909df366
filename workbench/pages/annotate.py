"""Annotate page: the browser player with keyboard marking (I/A/O, Enter saves), every annotator's
track on its timeline, apex suggestion, the clip's annotations and agreement.

``/annotate?clip=<id>`` opens that clip (Clips, Results and Compare link here); ``&view=frames``
shows the raw frames instead of the face crops. The marks typed in the
number form below the player go through the same save as Enter in the player.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from engine import api
from engine.errors import GlimpseError
from workbench import state
from workbench.components.downloads import table_download
from workbench.components.login import signed_in_user
from workbench.components.player import SOURCE_NAMES, Marks, SaveHandler, default_source, render_player

URL_CLIP = "clip"
URL_VIEW = "view"  # optional: frames | crops
URL_FRAME = "frame"  # optional: the dataset frame number the player opens at (e.g. a spotted apex)


def _url_frame() -> int | None:
    """The frame number named in the URL (``&frame=N``); None when absent or not a number."""
    raw = st.query_params.get(URL_FRAME)
    try:
        return None if raw is None else int(raw)
    except ValueError:
        st.warning(f"&frame={raw} is not a frame number; the player opens at the first frame")
        return None


def _url_clip(ids: list[int]) -> int | None:
    """The clip named in the URL (``?clip=ID``), once per distinct URL value."""
    raw = st.query_params.get(URL_CLIP)
    if raw is None or raw == st.session_state.get("ann_url_seen"):
        return None
    st.session_state["ann_url_seen"] = raw
    try:
        clip_id = int(raw)
    except ValueError:
        st.error(f"?clip={raw} is not a clip id (use a number from the Clips table)")
        return None
    if clip_id not in ids:
        st.error(f"clip {clip_id} (from the URL) is not in the catalog; pick one below")
        return None
    return clip_id


def _clip_picker() -> int | None:
    table, _ = api.clips(api.ClipQuery(), page=0, page_size=5000)
    if table.empty:
        st.info("No clips in the catalog yet.")
        return None
    ids = table["id"].astype(int).tolist()
    labels = {int(r.id): f"#{r.id} {r.dataset}/{r.subject}/{r.name}" for r in table.itertuples()}
    from_url = _url_clip(ids)
    if from_url is not None:
        st.session_state["ann_clip"] = from_url
    elif st.session_state.get("ann_clip") not in ids:
        current = state.get(state.CLIP)
        st.session_state["ann_clip"] = current if current in ids else ids[0]
    clip_id = int(st.selectbox("clip", ids, format_func=lambda i: labels[i], key="ann_clip"))
    state.put(state.CLIP, clip_id)
    st.query_params[URL_CLIP] = str(clip_id)
    st.session_state["ann_url_seen"] = str(clip_id)
    return clip_id


def annotator_field() -> str:
    """The name marks are saved under: the signed-in user when login is on, else the "Annotator" field."""
    user = signed_in_user()
    if user:
        st.text_input("Annotator", value=user, disabled=True, key="ann_annotator_user")
        return user
    if "ann_annotator" not in st.session_state:
        st.session_state["ann_annotator"] = state.get(state.ANNOTATOR, "")
    name = st.text_input("Annotator", key="ann_annotator", placeholder="your name").strip()
    state.put(state.ANNOTATOR, name)
    return name


def _coding(existing: pd.DataFrame, annotator: str, detail: api.ClipDetail) -> dict:
    """The fields' starting values: this annotator's saved coding, else the dataset's own."""
    mine = existing[existing.annotator == annotator] if annotator else existing.iloc[0:0]
    base = mine.iloc[0].to_dict() if len(mine) else {}
    aus = str(base.get("action_units") or detail.action_units or "")
    return {
        "aus": [a for a in aus.split("+") if a in api.AU_CHOICES],
        "emotion": base.get("emotion") or detail.emotion or api.EMOTIONS[-1],
        "marks": {m: base.get(m) for m in ("onset", "apex", "offset")},
    }


def render() -> None:
    st.title("Annotate")
    try:
        clip_id = _clip_picker()
        if clip_id is None:
            return
        detail = api.clip_detail(clip_id)
        existing = api.clip_annotations(clip_id)
    except GlimpseError as error:
        state.show_error(error)
        return
    if not detail.frame_numbers:
        st.warning(f"clip {clip_id} has no frames (re-ingest its dataset)")
        return
    top = st.columns([2, 3, 2])
    with top[0]:
        annotator = annotator_field()
    coding = _coding(existing, annotator, detail)
    tag = f"{clip_id}_{annotator}"
    aus = top[1].multiselect(
        "action units (FACS; L/R = one side)", api.AU_CHOICES, default=coding["aus"], key=f"ann_aus_{tag}"
    )
    emotions = list(api.EMOTIONS)
    emotion = top[2].selectbox(
        "emotion",
        emotions,
        index=emotions.index(coding["emotion"]) if coding["emotion"] in emotions else len(emotions) - 1,
        key=f"ann_emotion_{tag}",
    )

    version_key = f"ann_version_{tag}"  # the version of their annotation this page opened
    if annotator and version_key not in st.session_state:
        st.session_state[version_key] = api.open_annotation(clip_id, annotator).version

    def save(marks: Marks, overwrite: bool = False) -> str:
        coded = api.Marks(marks["onset"], marks["apex"], marks["offset"], "+".join(aus), emotion)
        try:
            saved = api.save_marks(
                clip_id, annotator, coded, st.session_state.get(version_key), overwrite=overwrite
            )
        except api.AnnotationConflict as conflict:  # someone saved since: the page offers reload/overwrite
            st.session_state[f"ann_conflict_{tag}"] = marks
            raise conflict
        st.session_state[version_key] = saved.version
        st.session_state.pop(f"ann_conflict_{tag}", None)
        shown = " · ".join(f"{m} {v if v is not None else '–'}" for m, v in marks.items())
        return f"saved {annotator}'s annotation of clip {clip_id} ({shown}, version {saved.version})"

    opts = st.columns([2, 3, 3])
    sources = list(SOURCE_NAMES)
    view = st.query_params.get(URL_VIEW)
    if view in sources and st.session_state.get("ann_view_seen") != (clip_id, view):
        st.session_state["ann_view_seen"] = (clip_id, view)  # ?view=frames|crops, once per URL
        st.session_state[f"ann_source_{clip_id}"] = view
    st.session_state.setdefault(f"ann_source_{clip_id}", default_source(detail))
    source = opts[0].radio(
        "show",
        sources,
        format_func=SOURCE_NAMES.get,
        horizontal=True,
        key=f"ann_source_{clip_id}",
    )
    runs = api.trajectory_runs(clip_id)
    run_id = opts[1].selectbox(
        "timeline: class scores of run",
        [None, *runs],
        format_func=lambda r: "– none –" if r is None else r,
        key=f"ann_run_{clip_id}",
    )
    if not annotator:
        opts[2].caption("Type your name in **Annotator** to save marks.")
    else:
        opts[2].caption(f"annotating as **{annotator}** · click the player, mark with I / A / O, Enter saves")
    render_player(
        clip_id,
        key="ann",
        source=source,
        annotator=annotator,
        on_save=save,
        run_id=run_id,
        proposal=state.get(f"apex_proposal_{clip_id}"),
        initial_frame=_url_frame(),
    )
    _typed_marks(clip_id, detail, coding, save)
    if st.session_state.get(f"ann_conflict_{tag}"):
        _reload_or_overwrite(clip_id, tag, save)
    _apex_suggestion(clip_id)

    st.subheader("Annotations of this clip")
    st.dataframe(existing, hide_index=True, key="ann_table")
    table_download(existing, f"annotations_clip{clip_id}", key="ann")
    st.caption("Agreement between coders: the **Review** page (kept off this page so coding stays blind).")


def _typed_marks(clip_id: int, detail: api.ClipDetail, coding: dict, save: SaveHandler) -> None:
    """Marks as numbers: the same save as Enter in the player (for exact values from a coding sheet)."""
    numbers = detail.frame_numbers
    lo, hi = numbers[0], numbers[-1]
    with st.expander("type marks as numbers"), st.form(f"ann_form_{clip_id}"):
        c = st.columns(3)
        values = {}
        for col, mark in zip(c, ("onset", "apex", "offset"), strict=True):
            value = coding["marks"].get(mark)
            value = detail.marks[mark] if value is None or pd.isna(value) else value
            key = f"ann_{mark}_{clip_id}"
            if key not in st.session_state:
                st.session_state[key] = int(value) if value is not None else lo
            values[mark] = col.number_input(mark, lo, hi, step=1, key=key)
        if st.form_submit_button("Save annotation"):
            try:
                st.success(save({m: int(v) for m, v in values.items()}))
            except GlimpseError as error:
                state.show_error(error)


def _reload_or_overwrite(clip_id: int, tag: str, save: Callable[..., str]) -> None:
    """After a refused save (someone saved since this page opened the annotation): take theirs, or
    save these marks over it knowingly."""
    pending = st.session_state[f"ann_conflict_{tag}"]
    c = st.columns(2)
    if c[0].button("Reload their annotation", key=f"ann_reload_{tag}"):
        for key in (f"ann_conflict_{tag}", f"ann_version_{tag}", f"ann_aus_{tag}", f"ann_emotion_{tag}"):
            st.session_state.pop(key, None)
        for mark in ("onset", "apex", "offset"):  # the typed marks start again from the saved coding
            st.session_state.pop(f"ann_{mark}_{clip_id}", None)
        st.rerun()
    if c[1].button("Overwrite with mine", key=f"ann_overwrite_{tag}"):
        try:
            st.success(save(pending, overwrite=True))
        except GlimpseError as error:
            state.show_error(error)


def _propose(clip_id: int, apex: int) -> None:
    previous = state.get(f"apex_proposal_{clip_id}") or {}
    state.put(f"apex_proposal_{clip_id}", {"apex": int(apex), "seq": int(previous.get("seq", 0)) + 1})
    st.session_state[f"ann_apex_{clip_id}"] = int(apex)


def _apex_suggestion(clip_id: int) -> None:
    sources = ["face difference", *api.trajectory_runs(clip_id)]
    c = st.columns([1, 3])
    source = c[1].selectbox(
        "apex from",
        sources,
        key="ann_apex_source",
        format_func=lambda s: s if s == "face difference" else f"encoder features of run {s}",
    )
    if c[0].button("Suggest apex", key="ann_suggest"):
        try:
            found = (
                api.suggest_apex(clip_id)
                if source == "face difference"
                else api.suggest_apex_from_features(source, clip_id)
            )
            state.put(f"apex_suggestion_{clip_id}", found)
        except GlimpseError as error:
            state.show_error(error)
    suggestion = state.get(f"apex_suggestion_{clip_id}")
    if suggestion:
        what = (
            "distance of each frame's encoder features to the first frame's"
            if suggestion.source == "features"
            else f"difference of each face crop to neutral ({suggestion.source}) between onset and offset"
        )
        st.info(f"Suggested apex: **frame {suggestion.apex}** — peak of the smoothed {what}.")
        st.button(
            "Use suggested apex",
            key="ann_use_suggestion",
            on_click=_propose,
            args=(clip_id, suggestion.apex),
            help="sets the apex mark in the player (unsaved until Enter)",
        )
