"""Spot → code → recognise (issue 19): intervals accepted from a spotting run become clips that a coder
codes through the API; a recognition run trains on that coding (``--labels annotator:NAME``) and is
re-scored against the release's coding on the spotted clips that hit a coded micro-expression."""

from __future__ import annotations

import dataclasses

from app.app_support import page  # type: ignore[import-not-found]
from spotting_catalog import DATASET
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.schema import Clip, Dataset, Prediction
from engine import api
from engine.spotting.config import SpotConfig
from engine.spotting.intervals import Interval
from engine.spotting.recognise import training_labels
from engine.spotting.run import run_spotting
from engine.train.ablation import run_variant
from engine.train.config import AblationConfig
from engine.train.data import labelled_clips

SPOTTED = f"{DATASET}-spotted"


def test_accepted_spots_become_clips_that_train_on_a_coders_labels(
    long_dataset: Dataset, session: Session, db_url: str
) -> None:
    run_id = run_spotting(db_url, DATASET, SpotConfig(method="fd")).run_id
    ana = api.local_actor("ana")
    videos = {c.id: c.name for c in long_dataset.clips}
    for s, (clip_id, video) in enumerate(sorted(videos.items())):
        shift = 9 * s  # the toy's first micro-expression of subject s is frames 31+shift … 40+shift
        api.accept_spot(
            ana, run_id, clip_id, Interval(video, 31 + shift, 40 + shift, "micro", apex=35 + shift)
        )
        api.accept_spot(ana, run_id, clip_id, Interval(video, 60, 69, "micro", apex=64))  # hits nothing
    at = page("spotting")
    at.run()
    at.button(key="spot_clips").click().run()  # the Spotting page's one action
    assert not at.exception
    assert any(f"6 clip(s) added to {SPOTTED} (3 hit a coded interval)" in s.value for s in at.success)
    made = api.spotted_clips(ana, run_id)
    assert (made.dataset, made.added, made.matched, len(made.clip_ids)) == (SPOTTED, 0, 0, 6)
    # promoting twice added nothing (above); the clips:

    session.expire_all()
    clips = {c.id: c for c in session.scalars(select(Clip).where(Clip.id.in_(made.clip_ids)))}
    hits = {cid for cid, c in clips.items() if c.onset != 60}
    assert {cid: c.label for cid, c in clips.items()} == {
        cid: ("positive" if cid in hits else None) for cid in clips
    }
    assert all(c.n_frames == 10 and c.first_frame == c.onset for c in clips.values())

    # a coder codes every spotted clip: the hits positive, the misses negative
    for cid, clip in clips.items():
        emotion = "positive" if cid in hits else "negative"
        api.save_annotation(api.local_actor("alice"), cid, clip.onset, clip.apex, clip.offset, "", emotion)
    coded, _ = labelled_clips(session, [SPOTTED], "annotator:alice")
    assert {c.clip_id: c.label for c in coded} == {
        cid: ("positive" if cid in hits else "negative") for cid in clips
    }
    release, _ = labelled_clips(session, [SPOTTED], "source")
    assert {c.clip_id for c in release} == hits

    # recognition on the spotted clips, trained on alice's coding, scored against the release's
    cfg = dataclasses.replace(
        AblationConfig.tiny(), me_datasets=(SPOTTED,), variants=("lbptop",), labels=("annotator:alice",)
    )
    outcome = run_variant(db_url, "lbptop", 0, cfg)
    truth = dict(
        session.execute(
            select(Prediction.clip_id, Prediction.truth).where(Prediction.run_id == outcome.run_id)
        ).all()
    )
    assert truth == {c.clip_id: c.label for c in coded}
    # spot-then-recognise rebuilds this run's classifier on the labels it learned (alice's), not the release's
    assert training_labels(session, outcome.run_id) == {c.clip_id: c.label for c in coded}
    str_like = api.rescore_run(api.local_actor(), outcome.run_id, "source")
    assert (str_like.n_scored, str_like.n_predicted) == (3, 6)
    assert set(str_like.truth) == hits and set(str_like.truth.values()) == {"positive"}
