"""Session-state keys shared between pages (selected clip, annotator, watched job, shown face backend)."""

from __future__ import annotations

from typing import Any

import streamlit as st

CLIP = "clip_id"
ANNOTATOR = "annotator"
JOB = "job_id"
FACE_BACKEND = "face_backend"
RUN = "run_id"


def get(key: str, default: Any = None) -> Any:
    return st.session_state.get(key, default)


def put(key: str, value: Any) -> None:
    st.session_state[key] = value


def show_error(error: Exception) -> None:
    """A user-caused problem as one red box, never a traceback."""
    st.error(str(error))
