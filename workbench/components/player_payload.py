"""The browser player's payload: the one place that names the keys Python sends and player.js reads.

Every dict the player component receives is one of the TypedDicts below (mypy checks that
``player.py`` builds each with exactly these keys); player.js reads them in ``readPayload`` only, one
destructuring per type marked ``// payload: <Name>``, and ``tests/app/test_player_payload.py`` checks
that each of those destructurings names exactly the keys of the TypedDict here. Renaming or adding a
key therefore fails a check until both sides agree.

The engine hands the player typed results (``api.FrameWindow``, ``api.Track``); the functions here
turn them into this JSON.
"""

from __future__ import annotations

from typing import TypedDict

from engine import api


class ClipInfo(TypedDict):
    """The clip being played: its frame numbers in order (positions are indexes into them)."""

    id: int
    title: str
    fps: float
    numbers: list[int]


class MarkSet(TypedDict):
    """Onset, apex and offset as dataset frame numbers (None: not marked)."""

    onset: int | None
    apex: int | None
    offset: int | None


class Bar(TypedDict):
    """One interval of a recording on an interval track."""

    onset: int
    apex: int | None
    offset: int
    type: str


class Track(TypedDict):
    """One timeline lane: a coding (onset/apex/offset, ``bars`` None) or intervals (``bars``)."""

    name: str
    onset: int | None
    apex: int | None
    offset: int | None
    bars: list[Bar] | None


class Curve(TypedDict):
    """A curve under the timeline: one value per listed frame number."""

    name: str
    numbers: list[int]
    values: list[float]


class FrameWindow(TypedDict):
    """Frames ``start ..`` (positions) as data URLs; ``seq`` answers the browser's request of that number."""

    start: int
    numbers: list[int]
    images: list[str | None]
    missing: dict[str, str]  # frame number → why it cannot be shown
    landmarks: dict[str, list[list[float]]]  # frame number → points in the sent image's pixels
    seq: int


class SaveStatus(TypedDict):
    """The answer to the browser's save of number ``seq``."""

    seq: int
    ok: bool
    text: str


class Proposal(TypedDict):
    """An unsaved apex mark the page suggests; a new ``seq`` is a new suggestion."""

    apex: int
    seq: int


class PlayerPayload(TypedDict):
    """Everything the player component gets on each run of its fragment."""

    clip: ClipInfo
    editable: bool
    annotator: str
    mine: MarkSet | None
    tracks: list[Track]
    curves: list[Curve]
    window: FrameWindow
    window_size: int
    anchors: dict[str, str]  # frame number → data URL of a frame outside the window (onset, reference)
    status: SaveStatus | None
    source: str
    frames_key: str
    initial: int
    reference: int
    proposal: Proposal | None


# the payload's types by the name player.js marks its destructurings with
SCHEMA: dict[str, type] = {
    t.__name__: t
    for t in (PlayerPayload, ClipInfo, MarkSet, Bar, Track, Curve, FrameWindow, SaveStatus, Proposal)
}


def window_json(window: api.FrameWindow, seq: int) -> FrameWindow:
    """The engine's frame window as the browser reads it (JSON object keys are strings)."""
    return {
        "start": window.start,
        "numbers": window.numbers,
        "images": window.images,
        "missing": {str(k): v for k, v in window.missing.items()},
        "landmarks": {str(k): v for k, v in window.landmarks.items()},
        "seq": seq,
    }


def track_json(track: api.Track) -> Track:
    """A coding or an annotator's intervals as one timeline lane."""
    if isinstance(track, api.IntervalTrack):
        bars: list[Bar] = [
            {"onset": b.onset, "apex": b.apex, "offset": b.offset, "type": b.type} for b in track.bars
        ]
        return {"name": track.name, "onset": None, "apex": None, "offset": None, "bars": bars}
    return {
        "name": track.name,
        "onset": track.onset,
        "apex": track.apex,
        "offset": track.offset,
        "bars": None,
    }
