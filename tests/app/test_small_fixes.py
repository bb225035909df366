"""Small things a researcher hit: frame counts cut to "14…" on Datasets, "/datasets" not found, a
recording described as "label None (–) … coded onset None"."""

from __future__ import annotations

from app_support import TIMEOUT, open_on_clip, page  # type: ignore[import-not-found]
from sqlalchemy import insert
from streamlit.testing.v1 import AppTest

from db.schema import RECORDING, Clip, Dataset, Frame, Subject
from db.session import session_scope
from workbench.components.formats import compact_count


def test_counts_are_compact_enough_for_a_metric_tile() -> None:
    assert [compact_count(n) for n in (40, 999, 1000, 14_400, 14_449, 2_500_000, None)] == [
        "40", "999", "1k", "14.4k", "14.4k", "2.5M", "–",
    ]  # fmt: skip


def test_datasets_page_shows_a_large_frame_count_whole(seeded) -> None:
    with session_scope(seeded.url) as s:
        ds = Dataset(name="big", format="casme2", root=str(seeded.home), fps=200.0)
        clip = Clip(dataset=ds, subject=Subject(dataset=ds, code="s1"), name="c", path="c", n_frames=14_400)
        s.add(clip)
        s.flush()
        rows = [{"clip_id": clip.id, "index": i, "number": i, "path": f"c/{i}.jpg"} for i in range(14_400)]
        s.execute(insert(Frame), rows)
    at = page("datasets").run()
    assert not at.exception
    frames = [m for m in at.metric if m.label == "frames"]
    assert [m.value for m in frames] == ["40", "10", "14.4k"]  # synthetic-casme2, lab-smic, big
    assert frames[2].proto.help == "14,400 frames"


def test_the_datasets_page_has_its_own_address(seeded) -> None:
    listing = AppTest.from_string(
        "import streamlit as st\nfrom workbench import app\n"
        "st.write(' | '.join(f'/{p.url_path}={p.title}' for p in app.pages_for(None)))\n",
        default_timeout=TIMEOUT,
    ).run()
    paths = dict(item.split("=") for item in listing.markdown[0].value.split(" | "))
    assert paths["/datasets"] == "Datasets"  # served at /datasets, not only at "/"
    assert paths["/"] == "Glimpse"  # the root: a hidden page that opens /datasets
    at = AppTest.from_file("../../streamlit_app.py", default_timeout=TIMEOUT).run()
    assert not at.exception and at.title[0].value == "Datasets"  # "/" still opens on Datasets


def test_a_recording_is_described_without_none(seeded) -> None:
    with session_scope(seeded.url) as s:
        source = s.get(Clip, seeded.clip_ids[0])
        recording = Clip(
            dataset=source.dataset, subject=source.subject, name="long01", path=source.path,
            kind=RECORDING, fps=200.0, n_frames=len(source.frames), first_frame=source.first_frame,
            last_frame=source.last_frame,
        )  # fmt: skip
        recording.frames = [Frame(index=f.index, number=f.number, path=f.path) for f in source.frames]
        s.add(recording)
        s.flush()
        recording_id = recording.id
    at = open_on_clip("clips", recording_id)
    assert not at.exception
    caption = next(c.value for c in at.caption if "frames @" in c.value)
    assert caption == "long recording, coded as intervals (no single label or onset) · 10 frames @ 200 fps"
    at.session_state["clip_id"] = seeded.clip_ids[0]
    at.run()
    caption = next(c.value for c in at.caption if "frames @" in c.value)
    assert caption == (
        "label **positive** (happiness) · AUs 12 · coded onset 101 · apex 104 · offset 107"
        " · 10 frames @ 200 fps"
    )
