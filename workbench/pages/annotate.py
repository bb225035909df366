"""Annotate page: one annotation per annotator per clip, saved at once; agreement; apex suggestion."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine import api
from engine.errors import GlimpseError
from workbench import state
from workbench.components.downloads import figure_downloads, table_download
from workbench.components.timeline import timeline_figure


def _clip_picker() -> int | None:
    table, _ = api.clips(api.ClipQuery(), page=0, page_size=500)
    if table.empty:
        st.info("No clips in the catalog yet.")
        return None
    ids = table["id"].astype(int).tolist()
    labels = {int(r.id): f"#{r.id} {r.dataset}/{r.subject}/{r.name}" for r in table.itertuples()}
    current = state.get(state.CLIP)
    index = ids.index(current) if current in ids else 0
    clip_id = st.selectbox("clip", ids, index=index, format_func=labels.get, key="ann_clip")
    state.put(state.CLIP, clip_id)
    return int(clip_id)


def _use_apex(key: str, frame: int) -> None:
    st.session_state[key] = frame


def _defaults(detail: api.ClipDetail, annotator: str, existing: pd.DataFrame) -> dict:
    """The form's starting marks: this annotator's saved annotation, else the dataset's own coding."""
    mine = existing[existing.annotator == annotator]
    base = mine.iloc[0].to_dict() if len(mine) else {}
    numbers = detail.frame_numbers

    def pick(name: str) -> int:
        value = base.get(name) if pd.notna(base.get(name, None)) else detail.marks[name]
        return int(value) if value is not None and pd.notna(value) else numbers[0]

    aus = [a for a in str(base.get("action_units", detail.action_units) or "").split("+") if a]
    emotion = base.get("emotion") or detail.emotion or api.EMOTIONS[-1]
    return {
        "onset": pick("onset"),
        "apex": pick("apex"),
        "offset": pick("offset"),
        "aus": aus,
        "emotion": emotion,
    }


def _save(
    clip_id: int, annotator: str, marks: api.Marks, version: int | None, existing: pd.DataFrame
) -> pd.DataFrame:
    """Save over the version this page opened; a newer one (someone saved since) asks what to do."""
    try:
        saved = api.save_marks(clip_id, annotator, marks, version)
    except api.AnnotationConflict as error:
        st.warning(f"Not saved: {error}")
        st.session_state[f"ann_conflict_{clip_id}"] = {"marks": marks, "version": error.version}
        return existing
    except GlimpseError as error:
        state.show_error(error)
        return existing
    st.session_state[f"ann_version_{clip_id}"] = saved.version
    st.success(f"saved {annotator.strip()}'s annotation of clip {clip_id} (version {saved.version})")
    return api.clip_annotations(clip_id)


def _offer_reload_or_overwrite(clip_id: int, annotator: str, loaded: str, conflict_key: str) -> None:
    pending = st.session_state[conflict_key]
    c = st.columns(2)
    if c[0].button("Reload their annotation", key="ann_reload"):
        st.session_state.pop(conflict_key)
        st.session_state.pop(loaded, None)  # next run loads the marks (and version) as saved now
        st.rerun()
    if c[1].button("Overwrite with mine", key="ann_overwrite"):
        st.session_state.pop(conflict_key)
        try:
            saved = api.save_marks(clip_id, annotator, pending["marks"], pending["version"], overwrite=True)
        except GlimpseError as error:
            state.show_error(error)
            return
        st.session_state[f"ann_version_{clip_id}"] = saved.version
        st.rerun()


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
    numbers = detail.frame_numbers
    if not numbers:
        st.warning("this clip has no frames")
        return
    if detail.synthetic:
        st.caption(":orange-badge[SYNTHETIC] clip")
    annotator = st.text_input("Annotator", value=state.get(state.ANNOTATOR, ""), key="ann_annotator")
    state.put(state.ANNOTATOR, annotator)
    if annotator.strip():
        st.caption(f"annotating as **{annotator.strip()}**")
    d = _defaults(detail, annotator.strip(), existing)
    lo, hi = numbers[0], numbers[-1]
    keys = {mark: f"ann_{mark}_{clip_id}" for mark in ("onset", "apex", "offset")}
    loaded = f"ann_loaded_{clip_id}"
    version_key = f"ann_version_{clip_id}"  # the version of their annotation they opened
    if st.session_state.get(loaded) != annotator.strip():  # new clip or annotator: load their marks
        for mark, key in keys.items():
            st.session_state[key] = min(max(d[mark], lo), hi)
        st.session_state[loaded] = annotator.strip()
        st.session_state[version_key] = api.open_annotation(clip_id, annotator).version
    with st.form(f"ann_form_{clip_id}_{annotator.strip()}"):
        c = st.columns(3)
        onset = c[0].number_input("onset", lo, hi, step=1, key=keys["onset"])
        apex = c[1].number_input("apex", lo, hi, step=1, key=keys["apex"])
        offset = c[2].number_input("offset", lo, hi, step=1, key=keys["offset"])
        known = [a for a in d["aus"] if a in api.AU_CHOICES]
        aus = st.multiselect(
            "action units (FACS; L/R = one side)", api.AU_CHOICES, default=known, key="ann_aus"
        )
        emotions = list(api.EMOTIONS)
        emotion = st.selectbox(
            "emotion",
            emotions,
            index=emotions.index(d["emotion"]) if d["emotion"] in emotions else len(emotions) - 1,
            key="ann_emotion",
        )
        saved = st.form_submit_button("Save annotation")
    conflict_key = f"ann_conflict_{clip_id}"
    if saved:
        marks = api.Marks(int(onset), int(apex), int(offset), "+".join(aus), emotion)
        st.session_state.pop(conflict_key, None)
        existing = _save(clip_id, annotator, marks, st.session_state.get(version_key), existing)
    if st.session_state.get(conflict_key):
        _offer_reload_or_overwrite(clip_id, annotator, loaded, conflict_key)
    marks = {"onset": int(onset), "apex": int(apex), "offset": int(offset)}
    suggestion = state.get(f"apex_suggestion_{clip_id}")
    curve = (suggestion.frame_numbers, suggestion.curve) if suggestion else None
    fig = timeline_figure(lo, hi, marks, curve=curve, curve_name="difference to neutral", height=260)
    if suggestion:
        fig.add_vline(
            x=suggestion.apex,
            line_dash="dash",
            line_color="#9467bd",
            annotation_text=f"suggested {suggestion.apex}",
            annotation_position="bottom right",
        )
    st.plotly_chart(fig, key="ann_timeline")
    figure_downloads(fig, f"annotation_timeline_clip{clip_id}", key="ann_tl")

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
            st.rerun()
        except GlimpseError as error:
            state.show_error(error)
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
            on_click=_use_apex,
            args=(f"ann_apex_{clip_id}", suggestion.apex),
        )

    st.subheader("Annotations of this clip")
    st.dataframe(existing, hide_index=True, key="ann_table")
    table_download(existing, f"annotations_clip{clip_id}", key="ann")

    st.subheader("Agreement")
    _agreement()


def _agreement() -> None:
    names = api.annotators()
    if len(names) < 2:
        st.caption("Agreement needs at least two annotators.")
        return
    c = st.columns(2)
    a = c[0].selectbox("annotator A", names, index=0, key="agr_a")
    b = c[1].selectbox("annotator B", names, index=1, key="agr_b")
    try:
        report = api.agreement(a, b)
    except GlimpseError as error:
        state.show_error(error)
        return

    def fmt(value: float | None, digits: int = 3) -> str:
        return "–" if value is None else f"{value:.{digits}f}"

    m = st.columns(5)
    m[0].metric("Cohen's κ", fmt(report.cohen_kappa), help=f"over {report.n_shared} shared clips")
    m[1].metric("raw agreement", fmt(report.raw_agreement))
    m[2].metric(
        "Fleiss' κ", fmt(report.fleiss_kappa), help=f"over {report.n_fleiss_clips} clips with ≥ 3 annotators"
    )
    m[3].metric("apex distance (frames)", fmt(report.mean_apex_distance, 1))
    m[4].metric("onset–offset IoU", fmt(report.mean_interval_iou))
    st.caption(f"{report.n_shared} clips coded by both · {report.n_fleiss_clips} clips with ≥ 3 annotators")
