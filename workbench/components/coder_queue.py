"""A coder's queue on the Annotate page: progress ("12 of 40 coded"), and N / P to walk it (no mouse).

The queue is the coder's clips of open assignments, in order (``api.my_queue``); ``?clip=ID`` opens that
clip when the coder may open it — the facade refuses a clip not assigned to them, and the refusal is
shown instead of the clip.
"""

from __future__ import annotations

import streamlit as st

from engine import api
from workbench import state

POSITION = "queue_position"
URL_SEEN = "queue_url_seen"


def _step(delta: int, size: int) -> None:
    st.session_state[POSITION] = max(0, min(size - 1, int(st.session_state.get(POSITION, 0)) + delta))


def _from_url(url_key: str, ids: list[int], viewer: api.Actor) -> int | None:
    """The clip the URL names, once per distinct URL value: its queue position, or (not in the queue)
    the clip itself when the facade lets this coder open it (a closed assignment of theirs)."""
    raw = st.query_params.get(url_key)
    if raw is None or raw == st.session_state.get(URL_SEEN):
        return None
    st.session_state[URL_SEEN] = raw
    try:
        clip_id = int(raw)
    except ValueError:
        st.error(f"?clip={raw} is not a clip id")
        return None
    if clip_id in ids:
        st.session_state[POSITION] = ids.index(clip_id)
        return None
    api.clip_detail(clip_id, viewer)  # NotAllowed unless this coder may open it
    return clip_id


def coder_queue(viewer: api.Actor, url_key: str) -> int | None:
    """Render the queue's progress and N / P buttons; the clip to code (None: nothing assigned)."""
    items = api.my_queue(viewer)
    ids = list(dict.fromkeys(item.clip_id for item in items))
    outside = _from_url(url_key, ids, viewer)
    if outside is not None:
        st.info(f"clip {outside} is not in your open queue (its assignment is closed)")
        return outside
    if not ids:
        st.info("No clips are assigned to you. An admin assigns clips on the Coders page.")
        return None
    done = {item.clip_id for item in items if item.done}
    position = max(0, min(len(ids) - 1, int(st.session_state.get(POSITION, 0))))
    st.session_state[POSITION] = position
    clip_id = ids[position]
    cols = st.columns([1, 1, 4])
    cols[0].button("◀ Previous (P)", key="queue_prev", shortcut="p", on_click=_step, args=(-1, len(ids)),
                   disabled=position == 0)  # fmt: skip
    cols[1].button("Next (N) ▶", key="queue_next", shortcut="n", on_click=_step, args=(1, len(ids)),
                   disabled=position == len(ids) - 1)  # fmt: skip
    cols[2].progress(
        len(done) / len(ids),
        text=f"**{len(done)} of {len(ids)}** coded · clip {position + 1} of {len(ids)} "
        f"({'coded' if clip_id in done else 'to code'})",
    )
    st.query_params[url_key] = str(clip_id)
    st.session_state[URL_SEEN] = str(clip_id)
    state.put(state.CLIP, clip_id)
    return clip_id
