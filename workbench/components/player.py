"""The clip player: frame-exact scrubbing (slider, prev/next, number), playback at a chosen speed,
timeline with onset/apex/offset, the face crop (with the backend that made it), landmarks overlay and
the amplified onset→apex difference image.

Playback is an ``st.fragment(run_every=…)`` that advances one frame per tick, so only the player reruns
and every frame is shown (frame-exact, no skipping).
"""

from __future__ import annotations

import cv2
import numpy as np
import streamlit as st

from engine import api
from engine.errors import GlimpseError
from workbench import state
from workbench.components.downloads import figure_downloads
from workbench.components.timeline import timeline_figure

SPEEDS = {"1 fps": 1.0, "2 fps": 2.0, "5 fps": 5.0, "10 fps": 10.0}


@st.cache_data(show_spinner=False, max_entries=8)
def _faces(clip_id: int, catalog: str) -> api.FaceCrops:
    return api.face_crops(clip_id)


@st.cache_data(show_spinner=False, max_entries=8)
def _difference(clip_id: int, catalog: str, gain: float) -> api.DifferenceImage:
    return api.difference_image(clip_id, gain)


def _overlay(image: np.ndarray, mark: api.GroundTruthMarks | None, display: int = 384) -> np.ndarray:
    """Upscale small frames for display, then draw the box and the 68 landmarks at display resolution."""
    scale = max(1.0, display / max(image.shape[:2]))
    out = (
        cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        if scale > 1
        else image.copy()
    )
    if not mark:
        return out
    if mark.box:
        x, y, w, h = (int(round(v * scale)) for v in mark.box)
        cv2.rectangle(out, (x, y), (x + w, y + h), (0, 200, 0), 1)
    for px, py in mark.landmarks:
        cv2.circle(out, (int(round(px * scale)), int(round(py * scale))), 2, (255, 60, 60), -1)
    return out


def _step(key: str, numbers: list[int], delta: int) -> None:
    current = st.session_state.get(key, numbers[0])
    i = min(range(len(numbers)), key=lambda k: abs(numbers[k] - current))
    st.session_state[key] = numbers[max(0, min(len(numbers) - 1, i + delta))]
    st.session_state[f"{key}_num"] = st.session_state[key]


def _from_number(key: str) -> None:
    st.session_state[key] = st.session_state[f"{key}_num"]


def _from_slider(key: str) -> None:
    st.session_state[f"{key}_num"] = st.session_state[key]


def render_player(clip_id: int, key: str = "player") -> None:
    """The full player for one clip (errors shown as st.error)."""
    try:
        detail = api.clip_detail(clip_id)
    except GlimpseError as error:
        state.show_error(error)
        return
    numbers = list(detail.frame_numbers)
    if not numbers:
        st.warning("this clip has no frames in the catalog")
        return
    badge = " · SYNTHETIC" if detail.synthetic else ""
    st.subheader(f"{detail.dataset} / {detail.subject} / {detail.name}{badge}")
    st.caption(
        f"label **{detail.label}** ({detail.emotion}) · AUs {detail.action_units or '–'} · "
        f"onset {detail.onset} · apex {detail.apex}{' (est.)' if detail.apex_estimated else ''} · "
        f"offset {detail.offset} · {len(numbers)} frames @ {detail.fps or '?'} fps"
    )
    fkey = f"{key}_frame_{clip_id}"
    if fkey not in st.session_state or st.session_state[fkey] not in numbers:
        st.session_state[fkey] = detail.onset if detail.onset in numbers else numbers[0]
        st.session_state[f"{fkey}_num"] = st.session_state[fkey]
    controls = st.columns([1, 1, 2, 2])
    playing = controls[3].toggle("▶ play", key=f"{fkey}_play")
    speed = controls[2].selectbox("speed", list(SPEEDS), index=2, key=f"{fkey}_speed")
    interval = 1.0 / SPEEDS[speed]

    @st.fragment(run_every=interval if playing else None)
    def body() -> None:
        if playing:
            _step(fkey, numbers, +1 if st.session_state[fkey] != numbers[-1] else -(len(numbers) - 1))
        cols = st.columns([1, 1, 6, 2])
        cols[0].button("◀ prev", key=f"{fkey}_prev", on_click=_step, args=(fkey, numbers, -1))
        cols[1].button("next ▶", key=f"{fkey}_next", on_click=_step, args=(fkey, numbers, +1))
        cols[2].slider(
            "frame",
            min_value=numbers[0],
            max_value=numbers[-1],
            step=1,
            key=fkey,
            on_change=_from_slider,
            args=(fkey,),
        )
        cols[3].number_input(
            "frame number",
            min_value=numbers[0],
            max_value=numbers[-1],
            step=1,
            key=f"{fkey}_num",
            on_change=_from_number,
            args=(fkey,),
        )
        frame = int(st.session_state[fkey])
        if frame not in numbers:  # gaps in the numbering: snap to the nearest real frame
            frame = min(numbers, key=lambda n: abs(n - frame))
        st.markdown(f"**Frame {frame}** ({numbers.index(frame) + 1}/{len(numbers)})")
        try:
            image = api.frame_image(clip_id, frame)
            mark = api.landmarks(clip_id, frame)
            faces = _faces(clip_id, api.catalog_location())
        except GlimpseError as error:
            state.show_error(error)
            return
        state.put(state.FACE_BACKEND, faces.backend)
        left, right = st.columns(2)
        show_marks = left.checkbox("landmarks overlay", value=True, key=f"{fkey}_lm")
        left.image(_overlay(image, mark if show_marks else None), caption=f"frame {frame}", width=360)
        crop = faces.crop_of(frame)
        if crop is not None:
            right.image(
                np.clip(crop, 0, 255).astype(np.uint8),
                caption=f"face crop · backend: {faces.backend}",
                width=360,
                clamp=True,
            )
        fig = timeline_figure(
            numbers[0],
            numbers[-1],
            detail.marks,
            current=frame,
        )
        st.plotly_chart(fig, key=f"{fkey}_timeline")
        figure_downloads(fig, f"timeline_clip{clip_id}", key=f"{fkey}_tl")

    body()
    with st.expander("onset → apex difference (amplified)", expanded=True):
        gain = st.slider("gain", 1.0, 20.0, 8.0, 1.0, key=f"{fkey}_gain")
        try:
            diff = _difference(clip_id, api.catalog_location(), gain)
        except GlimpseError as error:
            state.show_error(error)
            return
        colored = cv2.cvtColor(cv2.applyColorMap(diff.image, cv2.COLORMAP_INFERNO), cv2.COLOR_BGR2RGB)
        st.image(
            colored,
            width=320,
            caption=f"|apex {diff.apex} − onset {diff.onset}| × {diff.gain:.0f} · {diff.backend}",
        )
