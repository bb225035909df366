"""AppTest of each workbench page against a seeded catalog (see conftest.py)."""

from __future__ import annotations

import base64
import json

import cv2
import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from db.schema import Annotation, Job
from db.session import session_scope
from engine import api
from engine.annotate import store

TIMEOUT = 60


def page(name: str) -> AppTest:
    return AppTest.from_string(
        f"from workbench.pages import {name}\n{name}.render()\n", default_timeout=TIMEOUT
    )


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


def test_datasets_page_counts_and_synthetic_badge(seeded) -> None:
    at = page("datasets").run()
    assert not at.exception
    table = at.dataframe[0].value
    row = table.set_index("name").loc["synthetic-casme2"]
    assert (row.clips, row.subjects, row.frames) == (4, 2, 40)
    assert row.synthetic == "SYNTHETIC"
    assert table.set_index("name").loc["lab-smic"].synthetic == ""
    assert "synthetic-casme2** :orange-badge[SYNTHETIC]" in texts(at)
    assert "negative: 2" in texts(at)


def test_datasets_page_enqueues_ingest_job(seeded, monkeypatch) -> None:
    monkeypatch.setattr(api.jobs, "ensure_worker", lambda: True)  # no background worker in a unit test
    at = page("datasets").run()
    folder = str((seeded.home / "datasets" / "casme2").resolve())  # under the data home (the data root)
    at.text_input(key="ingest_path").input(folder)
    at.selectbox(key="ingest_format").select("casme2")
    at.button(key="ingest_go").click().run()
    with session_scope(seeded.url) as s:
        job = s.scalars(select(Job)).one()
        assert (job.kind, job.params["root"], job.params["format"]) == ("ingest", folder, "casme2")
    assert f"job #{job.id} queued" in texts(at)


def test_datasets_page_enqueues_tiny_synth_job(seeded, monkeypatch) -> None:
    from engine.jobs.handlers.base import split_config
    from engine.synth.config import SynthConfig

    monkeypatch.setattr(api.jobs, "ensure_worker", lambda: True)
    at = page("datasets").run()
    at.radio(key="synth_size").set_value("tiny")
    at.button(key="synth_go").click().run()
    with session_scope(seeded.url) as s:
        job = s.scalars(select(Job)).one()
        assert job.kind == "synth"
        assert split_config(SynthConfig, job.params, {"out_dir"}) == SynthConfig.tiny(0)


def test_clips_filter_by_label(seeded) -> None:
    at = page("clips").run()
    assert "**5 clips** match" in texts(at)
    at.selectbox(key="clips_f_label").select("negative").run()
    assert "**3 clips** match" in texts(at)
    assert sorted(at.dataframe[0].value["name"]) == ["EP01_02", "EP02_01", "s1_ne_01"]
    at.selectbox(key="clips_f_dataset").select("synthetic-casme2").run()
    assert "**2 clips** match" in texts(at)


def player_data(at: AppTest) -> dict:
    """What the page sends to the browser player (the component's JSON payload)."""
    return json.loads(next(el for el in at.get("bidi_component")).proto.json)


def test_player_sends_frames_tracks_and_motion(seeded) -> None:
    cid = seeded.clip_ids[0]
    at = page("clips")
    at.session_state["clip_id"] = cid
    at.run()
    assert not at.exception
    data = player_data(at)
    assert data["clip"]["numbers"] == list(range(100, 110))
    assert data["editable"] is False  # the Clips page views; the Annotate page marks
    window = data["window"]
    assert window["start"] == 0 and window["numbers"] == list(range(100, 110))
    first = cv2.imdecode(np.frombuffer(base64.b64decode(window["images"][0].split(",")[1]), np.uint8), 0)
    assert first.shape == (64, 64)  # a face crop, lossless PNG
    source = next(t for t in data["tracks"] if t["name"] == "source")
    assert (source["onset"], source["apex"], source["offset"]) == (101, 104, 107)
    motion = next(c for c in data["curves"] if c["name"].startswith("motion"))
    curve = dict(zip(motion["numbers"], motion["values"], strict=True))
    assert curve[101] == 0.0 and max(curve.values()) == 1.0  # zero at the onset it is measured from
    assert 102 <= max(curve, key=curve.get) <= 106  # the drawn smile: high between onset and offset
    assert max(curve[100], curve[108], curve[109]) < 0.25
    # the browser asks for a later window: the rerun sends those frames
    at.session_state[f"clips_gp_{cid}_window"] = {"start": 6, "seq": 7}
    at.run()
    window = player_data(at)["window"]
    assert (window["start"], window["numbers"][0], window["seq"]) == (6, 106, 7)


def test_player_raw_frames_carry_landmarks(seeded) -> None:
    cid = seeded.clip_ids[0]
    at = page("annotate")
    at.session_state["clip_id"] = cid
    at.run()
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
    at = page("annotate")
    at.session_state["clip_id"] = cid
    at.run()
    at.text_input(key="ann_annotator").input("alice").run()
    at.number_input(key=f"ann_apex_{cid}").set_value(105)
    at.selectbox(key=f"ann_emotion_{cid}_alice").select("happiness").run()
    _submit(at)
    assert "saved alice's annotation" in texts(at)
    at.number_input(key=f"ann_apex_{cid}").set_value(106)
    _submit(at)
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
    _submit(at)
    stamp = f"{theirs.updated_at:%Y-%m-%d %H:%M:%S} UTC"
    assert any(f"changed by dave at {stamp} — reload or overwrite" in e.value for e in at.error)
    assert not at.exception
    assert _apex_of(seeded.url, cid, "carol") == 103  # dave's save is intact
    next(b for b in at.button if b.label == "Overwrite with mine").click().run()
    assert _apex_of(seeded.url, cid, "carol") == 105
    # dave saves again; this time carol reloads and sees his marks
    store.save(cid, "carol", store.Marks(101, 102, 107), 2, saved_by="dave")
    at.number_input(key=f"ann_apex_{cid}").set_value(106)
    _submit(at)
    assert any("changed by dave" in e.value for e in at.error)
    next(b for b in at.button if b.label == "Reload their annotation").click().run()
    assert at.number_input(key=f"ann_apex_{cid}").value == 102
    _submit(at)  # saving after the reload names the version reloaded: accepted
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
    _submit(at)
    assert at.error and "onset 108 is after apex" in at.error[0].value
    assert not at.exception
    with session_scope(seeded.url) as s:
        assert s.scalars(select(Annotation).where(Annotation.annotator == "bob")).all() == []


def _submit(at: AppTest) -> None:
    next(b for b in at.button if b.label == "Save annotation").click().run()


def test_apex_suggestion_and_no_agreement_on_annotate(seeded) -> None:
    for annotator, emotion in (("alice", "happiness"), ("bob", "happiness")):
        api.save_annotation(api.local_actor(annotator), seeded.clip_ids[0], 101, 104, 107, "12", emotion)
    at = page("annotate")
    at.session_state["clip_id"] = seeded.clip_ids[0]
    at.run()
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


def test_train_form_enqueues_job_with_params(seeded, monkeypatch) -> None:
    monkeypatch.setattr(api.jobs, "ensure_worker", lambda: True)
    at = page("train")
    at.run()
    at.toggle(key="train_tiny").set_value(True).run()
    at.radio(key="train_kind").set_value("train")
    at.selectbox(key="train_stage").select("mixt")
    at.text_input(key="train_seeds").input("3 4")
    at.number_input(key="train_tiny_seq_epochs").set_value(2)
    next(b for b in at.button if b.label == "Launch").click().run()
    with session_scope(seeded.url) as s:
        job = s.scalars(select(Job)).one()
        assert job.kind == "train"
        # the typed request (engine.train.requests.TrainRequest) as the job row carries it
        assert job.params["variant"] == "mixt" and job.params["seed"] == 3
        assert job.params["labels"] == "source"
        assert job.params["config"]["sequence"]["epochs"] == 2
    assert f"Job #{job.id}" in texts(at)
    assert "queued" in texts(at)


def test_train_form_passes_the_cross_dataset_protocol(seeded, monkeypatch) -> None:
    monkeypatch.setattr(api.jobs, "ensure_worker", lambda: True)
    at = page("train")
    at.run()
    at.radio(key="train_kind").set_value("ablation")
    at.multiselect(key="train_variants").set_value(["full", "lbptop"])
    at.selectbox(key="train_protocol").select("cross_dataset")
    at.text_input(key="train_train_datasets").input("synthetic-casme2")
    at.text_input(key="train_test_datasets").input("lab-smic, other")
    next(b for b in at.button if b.label == "Launch").click().run()
    # a dataset the catalog lacks is refused before any job is queued
    assert "dataset(s) other not in the catalog" in texts(at)
    with session_scope(seeded.url) as s:
        assert s.scalars(select(Job)).all() == []
    at.text_input(key="train_test_datasets").input("lab-smic")
    next(b for b in at.button if b.label == "Launch").click().run()
    with session_scope(seeded.url) as s:
        job = s.scalars(select(Job)).one()
        config = job.params["config"]
        assert job.kind == "ablation" and config["variants"] == ["full", "lbptop"]
        assert config["protocol"] == "cross_dataset"
        assert config["train_datasets"] == ["synthetic-casme2"]
        assert config["test_datasets"] == ["lab-smic"]
        params = dict(job.params)
    from engine.train.requests import AblationRequest, request_from_params

    request = request_from_params("ablation", params)  # what the worker will build from the job row
    assert isinstance(request, AblationRequest)
    assert request.config.protocol == "cross_dataset" and request.config.test_datasets == ("lab-smic",)


def test_results_page_metrics_confusion_and_cell(seeded) -> None:
    at = page("results")
    at.session_state["run_id"] = seeded.run_id
    at.run()
    assert not at.exception
    assert metric(at, "UF1") == "0.512"
    assert metric(at, "UAR") == "0.600"
    detail = api.run_detail(seeded.run_id)
    assert detail.labels == ("negative", "positive", "surprise")
    np.testing.assert_array_equal(detail.confusion, [[1, 1, 0], [0, 1, 0], [1, 0, 0]])
    chart = at.get("plotly_chart")[0]
    assert '"z":[[1,1,0],[0,1,0],[1,0,0]]' in chart.proto.spec.replace(" ", "")
    assert "SYNTHETIC" in texts(at)
    at.selectbox(key="cell_truth").select("negative")
    at.selectbox(key="cell_pred").select("positive")
    next(b for b in at.button if b.label == "List clips of this cell").click().run()
    assert "Clips with truth **negative**, predicted **positive**: 1" in texts(at)
    cells = at.dataframe[-1].value
    assert cells["clip_id"].tolist() == [seeded.clip_ids[1]]


def test_cell_clips_lists_exactly_the_seeded_clips(seeded) -> None:
    assert api.cell_clips(seeded.run_id, "negative", "negative").clip_id.tolist() == [seeded.clip_ids[2]]
    assert api.cell_clips(seeded.run_id, "surprise", "negative").clip_id.tolist() == [seeded.clip_ids[3]]
    assert api.cell_clips(seeded.run_id, "surprise", "surprise").empty


def test_compare_page_shows_each_variant(seeded) -> None:
    at = page("compare")
    at.run()
    at.selectbox(key="cmp_ablation").select(seeded.ablation_id).run()
    assert not at.exception
    assert "Variants: **FIR** · **ER** · **MIXT** · **FULL**" in texts(at)
    summary = at.dataframe[0].value
    uf1 = summary[summary.metric == "uf1"].set_index("variant")
    assert uf1.loc["full", "mean"] == pytest.approx(0.57)
    assert uf1.loc["fir", "sd"] == pytest.approx(np.std([0.40, 0.44], ddof=1))
    assert uf1.loc["er", "n"] == 2
    paired = next(df.value for df in at.dataframe if "comparison" in df.value.columns)
    assert list(dict.fromkeys(paired.comparison)) == ["full_vs_fir", "full_vs_er", "full_vs_mixt"]
    result = api.compare(ablation_id=seeded.ablation_id)
    assert result.deltas_vs_reference.loc["fir", "positive"] == pytest.approx(0.42 - 0.57)
    # the page shows the tests the ablation wrote, not a recomputation: FULL − FIR over the two seeds
    tests = api.paired_tests(seeded.ablation_id).set_index(["comparison", "test"])
    assert tests.loc[("full_vs_fir", "by_seed_uf1"), "mean_diff"] == pytest.approx(0.57 - 0.42)
    assert sorted(set(tests.index.get_level_values("test"))) == ["by_fold_uf1", "by_seed_uar", "by_seed_uf1"]


def test_compare_page_says_one_seed_has_no_interval_and_no_test(seeded) -> None:
    at = page("compare")
    at.run()
    at.selectbox(key="cmp_ablation").select_index(0)  # "(none)"
    at.multiselect(key="cmp_runs").set_value([seeded.run_id]).run()  # one FULL run: one seed
    assert not at.exception
    summary = at.dataframe[0].value
    uf1 = summary[summary.metric == "uf1"].iloc[0]
    assert uf1["n"] == 1 and uf1["note"] == "n/a — one seed"
    assert pd.isna(uf1["sd"]) and pd.isna(uf1["ci_low"]) and pd.isna(uf1["ci_high"])  # not a 0-width CI
    assert "sd, 95% CI and p-values: **n/a — one seed**" in texts(at)
    assert "Paired tests need FULL and the variant over at least two shared seeds." in texts(at)


def test_trajectories_page_loads_npz(seeded) -> None:
    cid = seeded.clip_ids[0]
    data = api.trajectories(seeded.run_id, cid)
    assert data.features.shape == (10, 8) and data.pca.shape == (10, 2)
    assert data.frames == tuple(range(100, 110))
    assert data.scores is not None and data.scores.shape == (10, 3)
    at = page("trajectories")
    at.session_state["clip_id"] = cid
    at.run()
    assert not at.exception
    assert any(f"clip #{cid}" in c.value for c in at.caption)
    assert "Frames: full · run-full-0: 10" in texts(at)
    assert len(at.get("plotly_chart")) == 2


def test_full_app_opens_on_datasets(seeded) -> None:
    at = AppTest.from_file("../../streamlit_app.py", default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.title[0].value == "Datasets"
    assert "catalog.sqlite" in at.sidebar.code[0].value


def test_cancel_button_cancels_a_queued_job(seeded, monkeypatch) -> None:
    monkeypatch.setattr(api.jobs, "ensure_worker", lambda: True)
    job_id = api.enqueue_job(api.local_actor("tester"), "sleep", {"seconds": 30})
    at = page("train")
    at.session_state["job_id"] = job_id
    at.run()
    assert f"Job #{job_id}" in texts(at) and "**Status: queued** (sleep)" in texts(at)
    at.button(key=f"cancel_{job_id}").click().run()
    assert api.job_status(job_id).status == "cancelled"


def test_user_error_is_a_message_not_a_traceback(seeded) -> None:
    at = page("clips")
    at.session_state["clip_id"] = 999
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "clip 999 is not in the catalog (pick a clip from the Clips table)"
    ]


def test_trajectories_rerun_opens_no_file(seeded, monkeypatch) -> None:
    cid = seeded.clip_ids[1]
    at = page("trajectories")
    at.session_state["clip_id"] = cid
    at.run()
    assert "Frames: full · run-full-0: 10" in texts(at)
    opened: list[object] = []
    load = np.load

    def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        opened.append(args[0])
        return load(*args, **kwargs)

    monkeypatch.setattr(np, "load", counted)
    at.run()  # a rerun (any widget change) reads the index and the trajectory from the caches
    assert not at.exception and "Frames: full · run-full-0: 10" in texts(at)
    assert opened == []
    at.selectbox(key="traj_clip").select(seeded.clip_ids[2]).run()  # a new clip: its arrays, once
    assert [str(p).endswith("trajectories.npz") for p in opened] == [True]


def test_review_ranks_disagreement_and_records_consensus(seeded) -> None:
    a, b = seeded.clip_ids[0], seeded.clip_ids[1]
    api.save_annotation(
        api.local_actor("alice"), a, 101, 104, 107, "12", "happiness"
    )  # agrees with the source
    api.save_annotation(
        api.local_actor("alice"), b, 101, 104, 107, "", "surprise"
    )  # source says disgust (negative)
    at = page("review")
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table.clip_id.tolist()[:2] == [b, a]  # the label disagreement first
    at.text_input(key="ann_annotator").input("rev").run()
    at.checkbox(key="review_include_source").check().run()  # the release is adopted only when asked
    next(x for x in at.button if x.label == "Adopt source").click().run()
    with session_scope(seeded.url) as s:
        row = s.scalars(
            select(Annotation).where(Annotation.clip_id == b, Annotation.annotator == "consensus")
        ).one()
        assert (row.onset, row.apex, row.offset, row.emotion) == (101, 104, 107, "disgust")
        assert row.notes.startswith("adopted source's coding by rev at ")
    assert "consensus of clip" in texts(at)
    assert at.dataframe[0].value.set_index("clip_id").loc[b, "consensus"] == "✓"
