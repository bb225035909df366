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
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import streamlit as st

from engine import api
from engine.errors import GlimpseError
from workbench import identity, state
from workbench.components.clip_caption import clip_caption
from workbench.components.player_payload import Curve, PlayerPayload, Proposal, track_json, window_json

ASSETS = Path(__file__).with_name("player_assets")
_PLAYER = st.components.v2.component(
    "glimpse_player",
    html=(ASSETS / "player.html").read_text(),
    css=(ASSETS / "player.css").read_text(),
    js=(ASSETS / "player.js").read_text(),
)
SOURCE_NAMES = {"crops": "face crops", "frames": "raw frames", "magnified": "magnified"}
PLAIN = api.MagnifyConfig()  # the magnify argument of the sources it does not apply to (one cache entry)
# frames sent with the page: enough to paint the opening frame and step a little; the player asks for a
# full window (sized to the byte budget) once that frame is painted. 48 frames made a 200 KB message that
# Python encoded, Streamlit sent and the browser parsed and decoded before the first paint of every clip.
FIRST_WINDOW = 12
# A clip this short is tracked and cropped on open in a fraction of a second; a longer one (a recording)
# opens on its raw frames: tracking a 1,311-frame recording on open took 3.5 s of the 9 s a coder waited
# for it, and even cached crops cost 1.4 s (every frame file is checked) — docs/PERFORMANCE.md.
QUICK_CROPS_FRAMES = 300

Marks = dict[str, int | None]
SaveHandler = Callable[[Marks], str]  # returns the success message; raises GlimpseError to refuse


@st.cache_data(show_spinner=False, max_entries=16)
def _crops(clip_id: int, catalog: str) -> api.FaceCrops:
    return api.player_crops(clip_id)


@st.cache_data(show_spinner=False, max_entries=256)
def _window(
    clip_id: int, source: str, start: int, count: int, catalog: str, magnify: api.MagnifyConfig = PLAIN
) -> api.FrameWindow:
    crops = _crops(clip_id, catalog) if source == "crops" else None
    return api.frame_window(clip_id, source, start, count, crops, magnify)


def _frames_per_window(images: list[str | None]) -> int:
    """Frames per window after the opening one, sized to the byte budget by the largest frame sent with
    the page (no separate sample read: on a cold recording that was one more read of its frame list)."""
    sizes = [len(url) for url in images if url]
    return api.window_length(max(sizes) if sizes else 20_000)


@st.cache_data(show_spinner=False, max_entries=64)
def _motion(clip_id: int, onset: int | None, catalog: str) -> Curve:
    """The face-motion curve (difference of every crop to the onset crop): computed once per clip."""
    faces = _crops(clip_id, catalog)
    numbers = list(faces.frame_numbers)
    ref = numbers.index(onset) if onset in numbers else 0
    return {"name": "motion (Δ onset)", "numbers": numbers, "values": api.motion_curve(faces.crops, ref)}


def _opening(initial: int, frames: int) -> tuple[int, int]:
    """(start, length) of the window sent with the page: a short one around ``initial`` (a position among
    the clip's ``frames``), so the first frame shows at once; the browser then asks for more."""
    length = min(FIRST_WINDOW, frames)
    return max(0, min(initial - length // 2, frames - length)), length


def default_source(detail: api.ClipDetail) -> str:
    """Face crops for clips; raw frames for recordings, whose crops need every frame tracked (or, when
    cached, every frame file checked): the user may still pick face crops."""
    return "crops" if len(detail.frame_numbers) <= QUICK_CROPS_FRAMES else "frames"


_PREFETCH = ThreadPoolExecutor(max_workers=1, thread_name_prefix="glimpse-prefetch")
_PREFETCHED: set[tuple[int, str, api.Actor]] = set()
_PREFETCH_LOCK = threading.Lock()
# the warm-up starts this long after it is asked for: the clip on screen is still being drawn (its page
# script, the browser's paint) and must not share two cores with it; a coder stays longer on a clip
PREFETCH_DELAY_S = 0.5


def prefetch(clip_id: int, viewer: api.Actor) -> None:
    """Warm, in a background thread, what the player reads when ``viewer`` opens ``clip_id`` at its first
    frame: its face crops (tracked now if never made) or the first raw frames, the first window, the
    motion curve. The next clip of a list or a coder's queue then opens from memory. Once per clip,
    catalog and viewer; a failure (a clip the viewer may not open, too) is left for the visit to show.

    Frames only: the clip is read as ``viewer`` sees it (a blind coder's onset is none), so the warm-up
    neither opens a clip the viewer may not nor computes anything from a coding hidden from them."""
    catalog = api.catalog_location()
    with _PREFETCH_LOCK:
        if (clip_id, catalog, viewer) in _PREFETCHED:
            return
        _PREFETCHED.add((clip_id, catalog, viewer))
    _PREFETCH.submit(_warm, int(clip_id), catalog, viewer, time.monotonic() + PREFETCH_DELAY_S)


def _warm(clip_id: int, catalog: str, viewer: api.Actor, not_before: float) -> None:
    time.sleep(max(0.0, not_before - time.monotonic()))
    if api.catalog_location() != catalog:  # the process was pointed at another catalog meanwhile
        return
    try:
        detail = api.clip_detail(clip_id, viewer)
        if not detail.frame_numbers:
            return
        source = default_source(detail)
        _window(clip_id, source, *_opening(0, len(detail.frame_numbers)), catalog)
        if source == "crops":
            _motion(clip_id, detail.onset, catalog)
    except Exception:  # noqa: BLE001 — a warm-up only: the visit reports its own errors
        with _PREFETCH_LOCK:
            _PREFETCHED.discard((clip_id, catalog, viewer))


def timeline_curves(clip_id: int, source: str, detail: api.ClipDetail, run_id: str | None) -> list[Curve]:
    """Curves for the timeline: face motion (difference to onset) and, for a run, its trajectories."""
    curves: list[Curve] = []
    catalog = api.catalog_location()
    if source in ("crops", "magnified"):  # the motion of the plain crops: what magnification acts on
        curves.append(_motion(clip_id, detail.onset, catalog))
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
    proposal: Proposal | None = None,
    initial_frame: int | None = None,
    detail: api.ClipDetail | None = None,
    magnify: api.MagnifyConfig = PLAIN,
) -> None:
    """The player for one clip; ``key`` names the page's one player, which the browser keeps when the
    page shows another clip. With ``on_save`` it marks (I/A/O) and saves (Enter) as ``annotator``;
    ``proposal`` ({apex, seq}) sets an unsaved apex mark (the apex suggestion); ``initial_frame`` (a
    dataset frame number, e.g. a spotted interval's apex) is where it opens instead of the first frame;
    ``detail`` is the clip's, when the page read it already (a recording's frame list is not free);
    ``magnify`` is the setting of the "magnified" source (a clip it cannot take shows its face crops
    and says why)."""
    try:
        if detail is None or detail.id != clip_id:
            detail = api.clip_detail(clip_id, identity.viewer())
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
    magnify = magnify if source == "magnified" else PLAIN
    # the view's notes in one container: the player below keeps its place in the page whichever view
    # is shown, so Streamlit keeps the browser player (and its unsaved marks) across a view change
    with st.container():
        if source == "magnified":
            try:  # magnifies the whole clip once per setting (cached), so a refused setting is said here
                _window(clip_id, source, 0, 1, api.catalog_location(), magnify)
            except GlimpseError as error:
                st.error(f"cannot magnify this clip: {error} — showing the face crops instead")
                source, magnify = "crops", PLAIN
            else:
                st.caption(
                    f"showing face crops magnified ×{magnify.gain:g} in {magnify.f_lo:g}–{magnify.f_hi:g} Hz "
                    f"({magnify.method})"
                )
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
                        f"({faces.no_face_ranges}): the face left, turned away or is "
                        "covered — those frames are blank, never cropped from a stale box"
                    )
    initial = bisect.bisect_left(numbers, initial_frame) if initial_frame is not None else 0
    initial = min(initial, len(numbers) - 1)
    _player_fragment(clip_id, key, source, annotator, on_save, run_id, detail, proposal, initial, magnify)


def reference_frame(detail: api.ClipDetail, tracks: list[api.Track], opening: int) -> int:
    """The frame the onset and difference views compare with until an onset is marked: the clip's coded
    onset; in a recording opened at a frame (a spot from the Spotting page), the onset of the coded or
    spotted interval around that frame (the latest one starting before it); else the first frame."""
    if detail.onset is not None and detail.onset in detail.frame_numbers:
        return int(detail.onset)
    onsets = [
        bar.onset
        for track in tracks
        if isinstance(track, api.IntervalTrack)
        for bar in track.bars
        if bar.onset <= opening <= bar.offset
    ]
    return max(onsets) if onsets else int(detail.frame_numbers[0])


@st.fragment
def _player_fragment(
    clip_id: int,
    key: str,
    source: str,
    annotator: str,
    on_save: SaveHandler | None,
    run_id: str | None,
    detail: api.ClipDetail,
    proposal: Proposal | None,
    initial: int = 0,
    magnify: api.MagnifyConfig = PLAIN,
) -> None:
    catalog = api.catalog_location()
    # one browser player per page, whichever clip it shows: a new clip is new data for the same
    # component (its DOM, decoder and settings stay; a remount per clip was part of every next clip's
    # wait), so its events name their clip and an event of another clip is never applied to this one
    ckey = f"{key}_gp"
    clip_state = f"{ckey}_{clip_id}"
    win_key, status_key, rerun_key = f"{clip_state}_window", f"{clip_state}_status", f"{clip_state}_rerun"
    if st.session_state.pop(rerun_key, False):
        st.rerun()  # a save changed the annotations: the whole page (table, agreement) follows
    try:
        start, length = _opening(initial, len(detail.frame_numbers))
        opening = _window(clip_id, source, start, length, catalog, magnify)
        count = _frames_per_window(list(opening.images))
        asked = st.session_state.get(win_key)
        if asked:
            start, length = int(asked["start"]), min(count, int(asked.get("count") or count))
        window = window_json(
            _window(clip_id, source, start, length, catalog, magnify) if asked else opening,
            asked["seq"] if asked else 0,
        )
        curves = timeline_curves(clip_id, source, detail, run_id)
        tracks = api.coding_tracks(identity.viewer(), clip_id)
    except GlimpseError as error:
        state.show_error(error)
        return
    numbers = list(detail.frame_numbers)
    reference = reference_frame(detail, tracks, numbers[initial])
    anchors: dict[str, str] = {}
    own = [t for t in tracks if isinstance(t, api.CodingTrack) and t.name == annotator.strip()]
    mine = own[0] if own and annotator.strip() else None
    for mark in (detail.onset, mine.onset if mine else None, reference):
        if mark in numbers and not window["start"] <= numbers.index(mark) < window["start"] + length:
            one = _window(clip_id, source, numbers.index(mark), 1, catalog, magnify)
            if one.images and one.images[0]:
                anchors[str(mark)] = one.images[0]
    if not any(t.name == "source" for t in tracks) and detail.onset is not None:
        tracks.insert(0, api.CodingTrack("source", detail.onset, detail.apex, detail.offset))

    def on_window() -> None:
        event = (st.session_state.get(ckey) or {}).get("window")
        if isinstance(event, dict) and event.get("clip") == clip_id:
            st.session_state[win_key] = {
                "start": int(event["start"]),
                "count": int(event.get("count") or 0),
                "seq": event["seq"],
            }

    def on_save_event() -> None:
        event = (st.session_state.get(ckey) or {}).get("save")
        if not isinstance(event, dict) or on_save is None:
            return
        if event.get("clip") != clip_id:  # marks of the clip the player showed before: never stored here
            st.session_state[status_key] = {
                "seq": event["seq"],
                "ok": False,
                "text": f"not saved: those marks are of clip {event.get('clip')}, not of clip {clip_id}",
            }
            return
        marks = {m: (None if event.get(m) is None else int(event[m])) for m in ("onset", "apex", "offset")}
        try:
            text, ok = on_save(marks), True
        except GlimpseError as error:
            text, ok = str(error), False
        st.session_state[status_key] = {"seq": event["seq"], "ok": ok, "text": text}
        # the whole page follows a save, refused ones too: the annotations table and agreement after a
        # save, the reload / overwrite choice after a version conflict (a fragment rerun alone drew
        # neither until another widget was touched)
        st.session_state[rerun_key] = True

    data: PlayerPayload = {
        "clip": {
            "id": clip_id,
            "title": f"{detail.dataset}/{detail.subject}/{detail.name}",
            "fps": detail.fps or 30,
            "numbers": numbers,
        },
        "editable": on_save is not None,
        "annotator": annotator.strip(),
        "mine": {"onset": mine.onset, "apex": mine.apex, "offset": mine.offset} if mine else None,
        "tracks": [track_json(t) for t in tracks],
        "curves": curves,
        "window": window,
        "window_size": count,
        "anchors": anchors,
        "status": st.session_state.get(status_key),
        "source": source,
        # the browser drops the frames it decoded when this changes (another view or setting)
        "frames_key": source
        if source != "magnified"
        else f"{source}:{magnify.method}:{magnify.gain:g}:{magnify.f_lo:g}:{magnify.f_hi:g}",
        "initial": initial,
        "reference": reference,
        "proposal": proposal,
    }
    _PLAYER(key=ckey, data=data, on_window_change=on_window, on_save_change=on_save_event)
    status = st.session_state.get(status_key)
    if status and not status["ok"]:
        st.error(status["text"])
    elif status:
        st.success(status["text"])
