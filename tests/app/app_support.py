"""What the workbench's AppTest modules share: open one page, and read what it shows."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

TIMEOUT = 60


def page(name: str, timeout: float = TIMEOUT) -> AppTest:
    """The workbench page ``workbench.pages.<name>`` alone, as an AppTest (not yet run)."""
    return AppTest.from_string(
        f"from workbench.pages import {name}\n{name}.render()\n", default_timeout=timeout
    )


def open_on_clip(name: str, clip_id: int) -> AppTest:
    """Page ``name`` run once with ``clip_id`` picked (as the Clips table or a link picks it)."""
    at = page(name)
    at.session_state["clip_id"] = clip_id
    return at.run()


def save_annotation(at: AppTest) -> None:
    """Press the Annotate page's save button (and rerun)."""
    next(b for b in at.button if b.label == "Save annotation").click().run()


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.subheader]
    parts += (
        [str(x.value) for x in at.info]
        + [str(x.value) for x in at.success]
        + [str(x.value) for x in at.error]
    )
    return "\n".join(parts)


def image_captions(at: AppTest) -> list[str]:
    return [img.caption for el in at.get("image") for img in el.proto.imgs]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def player_data(at: AppTest) -> dict:
    """What the page sends to the browser player (the component's JSON payload)."""
    return json.loads(next(el for el in at.get("bidi_component")).proto.json)
