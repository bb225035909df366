"""The clip player: a Streamlit custom component (v2) that plays frames in the browser.

Why a component: a server round trip per frame cannot play a 200 fps clip (the old ``st.fragment``
player showed ~2 frames/s). Here the browser decodes and paints frames itself, steps and plays
frame-exact, and draws the timeline; Python only answers two events:

- ``window``: the browser asks for frames around its cursor (a window sized to a byte budget). The
  answer is a rerun of this fragment only, so a 24,000-frame recording streams in pieces.
- ``save``: Enter in the player; the page's ``on_save`` stores the marks and its message is shown in
  the player and above it.

The JS/CSS/HTML live in ``player_assets/`` as plain files read once at import.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from engine import api
from engine.errors import GlimpseError
from engine.preprocess.cache import frame_ranges
from workbench import state
from workbench.components.clip_caption import clip_caption

ASSETS = Path(__file__).with_name("player_assets")
_PLAYER = st.components.v2.component(
    "glimpse_player",
    html=(ASSETS / "player.html").read_text(),
    css=(ASSETS / "player.css").read_text(),
    js=(ASSETS / "player.js").read_text(),
)
SOURCE_NAMES = {"crops": "face crops", "frames": "raw frames"}
FIRST_WINDOW = 48  # frames sent with the page; later windows are sized to the byte budget

Marks = dict[str, int | None]
SaveHandler = Callable[[Marks], str]  # returns the success message; raises GlimpseError to refuse


@st.cache_data(show_spinner=False, max_entries=4)
def _crops(clip_id: int, catalog: str) -> api.FaceCrops:
    return api.player_crops(clip_id)


@st.cache_data(show_spinner=False, max_entries=256)
def _window(clip_id: int, source: str, start: int, count: int, catalog: str) -> dict[str, Any]:
    crops = _crops(clip_id, catalog) if source == "crops" else None
    return api.frame_window(clip_id, source, start, count, crops).as_dict()


@st.cache_data(show_spinner=False, max_entries=16)
def _window_length(clip_id: int, source: str, catalog: str) -> int:
    sample = _window(clip_id, source, 0, 4, catalog)
    sizes = [len(url) for url in sample["images"] if url]
    return api.window_length(max(sizes) if sizes else 20_000)


def default_source(detail: api.ClipDetail) -> str:
    """Face crops for clips, raw frames for recordings (crops need the whole clip preprocessed)."""
    return "crops" if len(detail.frame_numbers) <= api.CROPS_MAX_FRAMES else "frames"


def timeline_curves(clip_id: int, source: str, detail: api.ClipDetail, run_id: str | None) -> list[dict]:
    """Curves for the timeline: face motion (difference to onset) and, for a run, its trajectories."""
    curves: list[dict[str, Any]] = []
    catalog = api.catalog_location()
    if source == "crops":
        faces = _crops(clip_id, catalog)
        numbers = list(faces.frame_numbers)
        ref = numbers.index(detail.onset) if detail.onset in numbers else 0
        curves.append(
            {"name": "motion (Δ onset)", "numbers": numbers, "values": api.motion_curve(faces.crops, ref)}
        )
    if run_id:
        data = api.trajectories(run_id, clip_id)
        frames = list(data.frames)
        curves.append(
            {
                "name": f"features Δ ({run_id[:8]})",
                "numbers": frames,
                "values": api.feature_curve(data.features),
            }
        )
        if data.scores is not None:
            for c, label in enumerate(data.score_labels):
                values = [round(float(v), 4) for v in data.scores[:, c]]
                curves.append({"name": f"p({label})", "numbers": frames, "values": values})
    return curves


def render_player(
    clip_id: int,
    key: str = "player",
    *,
    source: str | None = None,
    annotator: str = "",
    on_save: SaveHandler | None = None,
    run_id: str | None = None,
    proposal: dict[str, int] | None = None,
    initial_frame: int | None = None,
) -> None:
    """The player for one clip. With ``on_save`` it marks (I/A/O) and saves (Enter) as ``annotator``;
    ``proposal`` ({apex, seq}) sets an unsaved apex mark (the apex suggestion); ``initial_frame`` (a
    dataset frame number, e.g. a spotted interval's apex) is where it opens instead of the first frame."""
    try:
        detail = api.clip_detail(clip_id)
    except GlimpseError as error:
        state.show_error(error)
        return
    numbers = list(detail.frame_numbers)
    if not numbers:
        st.warning(f"clip {clip_id} has no frames in the catalog (re-ingest its dataset)")
        return
    badge = " · :orange-badge[SYNTHETIC]" if detail.synthetic else ""
    st.markdown(f"**{detail.dataset} / {detail.subject} / {detail.name}**{badge}")
    st.caption(clip_caption(detail, len(numbers)))
    source = source or default_source(detail)
    if source == "crops":
        try:
            faces = _crops(clip_id, api.catalog_location())
        except GlimpseError as error:
            st.warning(f"{error} — showing the raw frames instead")
            source = "frames"
        else:
            state.put(state.FACE_BACKEND, faces.backend)
            st.caption(f"showing face crops · backend: {faces.backend}")
            if faces.no_face_frames:
                st.warning(
                    f"no face in {len(faces.no_face_frames)} of {len(faces.frame_numbers)} frames "
                    f"({frame_ranges(list(faces.no_face_frames))}): the face left, turned away or is covered "
                    "— those frames are blank, never cropped from a stale box"
                )
    initial = bisect.bisect_left(numbers, initial_frame) if initial_frame is not None else 0
    initial = min(initial, len(numbers) - 1)
    _player_fragment(clip_id, key, source, annotator, on_save, run_id, detail, proposal, initial)


@st.fragment
def _player_fragment(
    clip_id: int,
    key: str,
    source: str,
    annotator: str,
    on_save: SaveHandler | None,
    run_id: str | None,
    detail: api.ClipDetail,
    proposal: dict[str, int] | None,
    initial: int = 0,
) -> None:
    catalog = api.catalog_location()
    ckey = f"{key}_gp_{clip_id}"
    win_key, status_key, rerun_key = f"{ckey}_window", f"{ckey}_status", f"{ckey}_rerun"
    if st.session_state.pop(rerun_key, False):
        st.rerun()  # a save changed the annotations: the whole page (table, agreement) follows
    try:
        count = _window_length(clip_id, source, catalog)
        asked = st.session_state.get(win_key)
        # the first window is short, so the first frame shows at once; the browser then asks for more
        start, length = (
            (int(asked["start"]), min(count, int(asked.get("count") or count)))
            if asked
            else (max(0, min(initial - FIRST_WINDOW // 2, count - FIRST_WINDOW)), min(count, FIRST_WINDOW))
        )
        window = {**_window(clip_id, source, start, length, catalog), "seq": asked["seq"] if asked else 0}
        curves = timeline_curves(clip_id, source, detail, run_id)
        tracks = api.coding_tracks(clip_id)
    except GlimpseError as error:
        state.show_error(error)
        return
    numbers = list(detail.frame_numbers)
    anchors: dict[str, str] = {}
    mine = next((t for t in tracks if t["name"] == annotator.strip()), None) if annotator.strip() else None
    for mark in (detail.onset, (mine or {}).get("onset")):
        if mark in numbers and not window["start"] <= numbers.index(mark) < window["start"] + length:
            one = _window(clip_id, source, numbers.index(mark), 1, catalog)
            if one["images"] and one["images"][0]:
                anchors[str(mark)] = one["images"][0]
    if not any(t["name"] == "source" for t in tracks) and detail.onset is not None:
        tracks.insert(0, {"name": "source", **detail.marks})

    def on_window() -> None:
        event = (st.session_state.get(ckey) or {}).get("window")
        if isinstance(event, dict):
            st.session_state[win_key] = {
                "start": int(event["start"]),
                "count": int(event.get("count") or 0),
                "seq": event["seq"],
            }

    def on_save_event() -> None:
        event = (st.session_state.get(ckey) or {}).get("save")
        if not isinstance(event, dict) or on_save is None:
            return
        marks = {m: (None if event.get(m) is None else int(event[m])) for m in ("onset", "apex", "offset")}
        try:
            text, ok = on_save(marks), True
            st.session_state[rerun_key] = True
        except GlimpseError as error:
            text, ok = str(error), False
        st.session_state[status_key] = {"seq": event["seq"], "ok": ok, "text": text}

    data = {
        "clip": {
            "id": clip_id,
            "title": f"{detail.dataset}/{detail.subject}/{detail.name}",
            "fps": detail.fps or 30,
            "numbers": numbers,
        },
        "editable": on_save is not None,
        "annotator": annotator.strip(),
        "mine": {m: mine.get(m) for m in ("onset", "apex", "offset")} if mine else None,
        "tracks": tracks,
        "curves": curves,
        "window": window,
        "window_size": count,
        "anchors": anchors,
        "status": st.session_state.get(status_key),
        "source": source,
        "initial": initial,
        "proposal": proposal,
    }
    _PLAYER(key=ckey, data=data, on_window_change=on_window, on_save_change=on_save_event)
    status = st.session_state.get(status_key)
    if status and not status["ok"]:
        st.error(status["text"])
    elif status:
        st.success(status["text"])
