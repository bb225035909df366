"""The Annotate page: the clip in the URL, saving an annotation once per annotator, conflicts, bad order, the
apex suggestion, and raw frames with their landmarks in the player. AppTest against conftest.py's seeded
catalog."""

from __future__ import annotations

from app_support import open_on_clip, page, player_data, save_annotation, texts  # type: ignore[import-not-found]
from sqlalchemy import select

from db.schema import Annotation
from db.session import session_scope
from engine import api
from engine.annotate import store


def test_player_raw_frames_carry_landmarks(seeded) -> None:
    cid = seeded.clip_ids[0]
    at = open_on_clip("annotate", cid)
    at.radio(key=f"ann_source_{cid}").set_value("frames").run()
    window = player_data(at)["window"]
    assert len(window["landmarks"]["100"]) == 68
    assert window["missing"] == {}


def test_annotate_page_opens_the_clip_in_the_url(seeded) -> None:
    cid = seeded.clip_ids[2]
    at = page("annotate")
    at.query_params["clip"] = str(cid)
    at.run()
    assert at.selectbox(key="ann_clip").value == cid
    assert player_data(at)["clip"]["id"] == cid and player_data(at)["editable"] is True
    # &frame=N opens the player at that dataset frame (the Spotting page links a spotted apex so)
    at.query_params["frame"] = "105"
    at.run()
    data = player_data(at)
    assert data["clip"]["numbers"][data["initial"]] == 105
    assert (
        data["window"]["start"] <= data["initial"] < data["window"]["start"] + len(data["window"]["numbers"])
    )
    at.query_params["clip"] = "999999"
    at.run()
    assert at.error and "clip 999999 (from the URL) is not in the catalog" in at.error[0].value


def test_annotation_saved_once_per_annotator_and_updated(seeded) -> None:
    cid = seeded.clip_ids[1]
    at = open_on_clip("annotate", cid)
    at.text_input(key="ann_annotator").input("alice").run()
    at.number_input(key=f"ann_apex_{cid}").set_value(105)
    at.selectbox(key=f"ann_emotion_{cid}_alice").select("happiness").run()
    save_annotation(at)
    assert "saved alice's annotation" in texts(at)
    at.number_input(key=f"ann_apex_{cid}").set_value(106)
    save_annotation(at)
    with session_scope(seeded.url) as s:
        rows = s.scalars(
            select(Annotation).where(Annotation.clip_id == cid, Annotation.annotator == "alice")
        ).all()
        assert len(rows) == 1
        assert (rows[0].apex, rows[0].emotion, rows[0].label) == (106, "happiness", "positive")
    table = at.dataframe[0].value
    assert sorted(table.annotator) == ["alice", "source"]


def test_annotation_saved_elsewhere_meanwhile_offers_reload_or_overwrite(seeded) -> None:
    cid = seeded.clip_ids[2]
    at = page("annotate")
    at.session_state["clip_id"] = cid
    at.session_state["annotator"] = "carol"
    at.run()  # carol opens the clip: no annotation of hers yet
    theirs = store.save(cid, "carol", store.Marks(101, 103, 107, emotion="disgust"), None, saved_by="dave")
    at.number_input(key=f"ann_apex_{cid}").set_value(105)
    save_annotation(at)
    stamp = f"{theirs.updated_at:%Y-%m-%d %H:%M:%S} UTC"
    assert any(f"changed by dave at {stamp} — reload or overwrite" in e.value for e in at.error)
    assert not at.exception
    assert _apex_of(seeded.url, cid, "carol") == 103  # dave's save is intact
    next(b for b in at.button if b.label == "Overwrite with mine").click().run()
    assert _apex_of(seeded.url, cid, "carol") == 105
    # dave saves again; this time carol reloads and sees his marks
    store.save(cid, "carol", store.Marks(101, 102, 107), 2, saved_by="dave")
    at.number_input(key=f"ann_apex_{cid}").set_value(106)
    save_annotation(at)
    assert any("changed by dave" in e.value for e in at.error)
    next(b for b in at.button if b.label == "Reload their annotation").click().run()
    assert at.number_input(key=f"ann_apex_{cid}").value == 102
    save_annotation(at)  # saving after the reload names the version reloaded: accepted
    assert "saved carol's annotation" in texts(at)


def _apex_of(url: str, clip_id: int, annotator: str) -> int | None:
    with session_scope(url) as s:
        return s.scalar(
            select(Annotation.apex).where(Annotation.clip_id == clip_id, Annotation.annotator == annotator)
        )


def test_annotation_out_of_order_shows_error_and_writes_nothing(seeded) -> None:
    cid = seeded.clip_ids[0]
    at = page("annotate")
    at.session_state["clip_id"] = cid
    at.session_state["annotator"] = "bob"
    at.run()
    at.number_input(key=f"ann_onset_{cid}").set_value(108)
    at.number_input(key=f"ann_offset_{cid}").set_value(102)
    save_annotation(at)
    assert at.error and "onset 108 is after apex" in at.error[0].value
    assert not at.exception
    with session_scope(seeded.url) as s:
        assert s.scalars(select(Annotation).where(Annotation.annotator == "bob")).all() == []


def test_apex_suggestion_and_no_agreement_on_annotate(seeded) -> None:
    for annotator, emotion in (("alice", "happiness"), ("bob", "happiness")):
        api.save_annotation(api.local_actor(annotator), seeded.clip_ids[0], 101, 104, 107, "12", emotion)
    at = open_on_clip("annotate", seeded.clip_ids[0])
    # coding stays blind: the other coders' agreement lives on Review, not beside the player
    assert not at.metric and "the **Review** page" in texts(at)
    next(b for b in at.button if b.label == "Suggest apex").click().run()
    assert "Suggested apex: **frame 104**" in texts(at)
    next(b for b in at.button if b.label == "Use suggested apex").click().run()
    assert at.number_input(key=f"ann_apex_{seeded.clip_ids[0]}").value == 104
    # from the seeded run's per-frame features (a bump centred on frame 104)
    at.selectbox(key="ann_apex_source").select(seeded.run_id)
    next(b for b in at.button if b.label == "Suggest apex").click().run()
    assert "Suggested apex: **frame 104** — peak of the smoothed distance of each frame's encoder" in texts(
        at
    )
