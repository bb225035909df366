"""Annotations become labels (issue 19): two coders code the drawn synthetic catalog through the API, a
reviewer adopts one as the consensus, FULL is trained on the consensus and on the release's coding, and
each run is re-scored against the other coding — side by side, without touching either run."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from db.schema import Clip, Job, Prediction, Run
from db.session import session_factory
from engine import api
from engine.annotate.review import FullCoding
from engine.annotate.sources import LabelSource, resolve
from engine.cli import app
from engine.errors import GlimpseError, NotAllowed
from engine.train.ablation import run_ablation, run_variant
from engine.train.config import AblationConfig
from engine.train.data import labelled_clips
from engine.train.reproduce import reproduce_one

# the flip bob codes: negative ↔ positive, surprise stays
FLIP = {"negative": "positive", "positive": "negative", "surprise": "surprise"}
EMOTION = {"negative": "disgust", "positive": "happiness", "surprise": "surprise"}  # CASME II → MEGC


def _me_clips(url: str) -> dict[int, str]:
    with session_factory(url)() as s:
        rows = s.execute(select(Clip.id, Clip.label).where(Clip.kind == "micro")).all()
    return {int(cid): str(label) for cid, label in rows}


def _code(url: str, coder: str, flip: bool, skip_subject_of: set[int] = frozenset()) -> None:  # type: ignore[assignment]
    """``coder`` codes every ME clip through the API (bob: flipped labels and a wider span)."""
    for clip_id, label in _me_clips(url).items():
        if clip_id in skip_subject_of:
            continue
        coded = FLIP[label] if flip else label
        onset, apex, offset = (1, 5, 9) if flip else (2, 5, 8)
        api.save_annotation(api.local_actor(coder), clip_id, onset, apex, offset, "", EMOTION[coded])


def _tiny(labels: str) -> AblationConfig:
    return dataclasses.replace(AblationConfig.tiny(), variants=("full",), labels=(labels,))


def test_majority_reports_ties_and_takes_the_agreeing_coders_marks() -> None:
    rows = [
        FullCoding(1, "alice", 2, 4, 8, "", "positive"),
        FullCoding(1, "bob", 4, 6, 10, "", "positive"),
        FullCoding(1, "carol", 1, 1, 3, "", "negative"),
        FullCoding(1, "source", 0, 0, 0, "", "negative"),  # the release is not a coder
        FullCoding(2, "alice", 1, 2, 3, "", "positive"),
        FullCoding(2, "bob", 1, 2, 3, "", "surprise"),  # 1 : 1 → a tie, left out
        FullCoding(3, "consensus", 1, 2, 3, "", "surprise"),  # not a coder either
    ]
    resolved = resolve(LabelSource.parse("majority"), rows, ("negative", "positive", "surprise"))
    assert resolved.ties == (2,)
    assert list(resolved.labels) == [1]
    one = resolved.labels[1]
    assert (one.label, one.onset, one.apex, one.offset) == ("positive", 3, 5, 9)  # medians of alice, bob
    assert resolve(LabelSource.parse("annotator:carol"), rows, ("negative",)).labels[1].offset == 3
    with pytest.raises(GlimpseError, match="unknown label source"):
        LabelSource.parse("everyone")


def test_a_missing_or_thin_label_source_is_refused_before_any_run(tiny_catalog: str) -> None:
    with pytest.raises(GlimpseError, match="'annotator:nobody' does not exist"):
        run_variant(tiny_catalog, "full", 0, _tiny("annotator:nobody"))
    with pytest.raises(GlimpseError, match="no consensus has been saved"):
        run_variant(tiny_catalog, "full", 0, _tiny("consensus"))
    # carol codes every subject but the last: one fold has no clip of hers
    with session_factory(tiny_catalog)() as s:
        last = s.scalar(select(func.max(Clip.subject_id)).where(Clip.kind == "micro"))
        skipped = set(s.scalars(select(Clip.id).where(Clip.subject_id == last)))
    _code(tiny_catalog, "carol", flip=False, skip_subject_of=skipped)
    with pytest.raises(
        GlimpseError,
        match=r"covers too few clips: no clip of 1 subject fold\(s\) \(synthetic-casme2/sub04\); "
        r"it labels 9 of the 12",
    ):
        run_variant(tiny_catalog, "full", 0, _tiny("annotator:carol"))
    result = CliRunner().invoke(app, ["train", "--tiny", "--labels", "annotator:carol", "--variant", "full"])
    assert result.exit_code == 2, result.output
    assert "covers too few clips" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(
        app, ["ablation", "--tiny", "--variants", "full", "--labels", "source,majority"]
    )
    assert result.exit_code == 2 and "covers too few clips" in result.output  # carol alone, sub04 uncoded
    with session_factory(tiny_catalog)() as s:
        assert s.scalar(select(func.count(Run.id))) == 0  # nothing trained, nothing half-written
        assert s.scalar(select(func.count(Job.id))) == 0  # refused before any job existed


def test_runs_on_two_codings_rescored_against_each_other(tiny_catalog: str) -> None:
    release = _me_clips(tiny_catalog)
    _code(tiny_catalog, "alice", flip=False)
    _code(tiny_catalog, "bob", flip=True)
    for clip_id in release:  # the reviewer adopts bob's coding as the consensus
        bob = next(c for c in api.full_codings(api.local_actor(), clip_id=clip_id) if c.annotator == "bob")
        api.save_consensus(api.local_actor("rita"), clip_id, api.adopt(bob, "rita"))
    assert api.label_sources() == ["source", "consensus", "majority", "annotator:alice", "annotator:bob"]

    # one ablation with the label source as a factor: FULL on the release's coding and on the consensus
    cfg = dataclasses.replace(AblationConfig.tiny(), variants=("full",), labels=("source", "consensus"))
    parent, document = run_ablation(tiny_catalog, cfg)
    assert list(document["variants"]) == ["full", "full@consensus"] and document["reference"] == "full"
    assert "full_vs_full@consensus" in document["paired"]  # the same paired statistics as variants
    with session_factory(tiny_catalog)() as s:
        children = {
            r.config["labels"][0]: r.id for r in s.scalars(select(Run).where(Run.parent_id == parent))
        }
    on_consensus, on_source = children["consensus"], children["source"]
    with session_factory(tiny_catalog)() as s:
        truth = {
            run: dict(
                s.execute(select(Prediction.clip_id, Prediction.truth).where(Prediction.run_id == run)).all()
            )
            for run in (on_consensus, on_source)
        }
        config = s.get_one(Run, on_consensus).config
    # the label source decides the truth column: the flipped coding flips it
    assert truth[on_source] == release
    assert truth[on_consensus] == {cid: FLIP[label] for cid, label in release.items()}
    assert config["labels"] == ["consensus"]
    assert (
        api.run_info(on_consensus).labels == "consensus"
        and api.run_info(on_consensus).arm == "full@consensus"
    )
    assert api.runs().set_index("id").loc[on_consensus, "labels"] == "consensus"

    # re-scores: each run against the other coding, figures from its stored predictions
    before = api.run_detail(on_source).overall["uf1"]
    cross = api.rescore_run(api.local_actor(), on_source, "consensus")
    assert cross.n_scored == cross.n_predicted == 12 and cross.trained_on == "source"
    assert cross.truth == truth[on_consensus]
    own = api.rescore_run(api.local_actor(), on_source, "source")
    assert own.uf1 == pytest.approx(before)  # against its own coding: its stored figure
    assert api.run_detail(on_source).overall["uf1"] == before  # the run itself is never changed
    table = api.rescore_table(api.local_actor(), [on_consensus, on_source], ["source", "consensus"])
    assert table[["arm", "scored_against"]].values.tolist() == [
        ["full@consensus", "source"],
        ["full@consensus", "consensus"],
        ["full", "source"],
        ["full", "consensus"],
    ]
    assert table.uf1.tolist()[3] == pytest.approx(cross.uf1)
    comparison = api.compare(ablation_id=parent)  # side by side in Compare, like variants
    assert comparison.variants == ("full", "full@consensus")
    assert set(comparison.runs.values()) == {"full", "full@consensus"}
    assert comparison.paired.comparison.tolist()[0] == "full_vs_full@consensus"

    # the Compare page shows the ablation's two arms, each scored against both codings
    at = AppTest.from_string("from workbench.pages import compare\ncompare.render()\n", default_timeout=120)
    at.run()
    assert not at.exception
    shown = next(d.value for d in at.dataframe if "scored_against" in d.value.columns)
    assert shown[["arm", "scored_against", "clips"]].values.tolist() == [
        ["full", "source", "12 of 12 clips"],
        ["full", "consensus", "12 of 12 clips"],
        ["full@consensus", "source", "12 of 12 clips"],
        ["full@consensus", "consensus", "12 of 12 clips"],
    ]
    assert shown.uf1.tolist()[1] == pytest.approx(cross.uf1)

    # what to code next: the ablation's two runs give the model terms; alice and bob disagree on every
    # clip bob flipped (negative/positive) and agree on surprise
    with session_factory(tiny_catalog)() as s:
        probs = {}
        for p in s.scalars(select(Prediction).where(Prediction.run_id.in_([on_source, on_consensus]))):
            probs.setdefault(p.clip_id, []).append([p.probs[k] for k in ("negative", "positive", "surprise")])
    queue = api.code_next_table(api.local_actor(), "synthetic-casme2", ablation=parent, limit=None).set_index(
        "clip_id"
    )
    assert len(queue) == 12 and not queue.uncoded.any()
    for clip_id, label in release.items():
        mean = np.mean(probs[clip_id], axis=0)
        entropy = float(-(mean * np.log(np.where(mean > 0, mean, 1))).sum() / np.log(3))
        agree = [int(np.argmax(r)) for r in probs[clip_id]]
        runs = 0.0 if agree[0] == agree[1] else 0.5
        coders = 0.0 if label == "surprise" else 0.5
        assert queue.loc[clip_id, "score"] == pytest.approx(entropy + runs + coders, abs=1e-4)
        assert queue.loc[clip_id, "coder_disagreement"] == coders
    assert queue.score.is_monotonic_decreasing
    page_at = AppTest.from_string(
        "from workbench.pages import code_next\ncode_next.render()\n", default_timeout=60
    )
    page_at.run()
    assert not page_at.exception
    shown = next(d.value for d in page_at.dataframe if "reasons" in d.value.columns)
    assert len(shown) == 12 and "coders disagree: alice" in " ".join(shown.reasons)

    # the CLI says the same, as JSON
    result = CliRunner().invoke(app, ["evaluate", on_source, "--labels", "consensus", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["n_scored"] == 12 and data["uf1"] == pytest.approx(cross.uf1)

    # reproduce honours the stored label source: same truth, same predictions
    again = reproduce_one(tiny_catalog, on_consensus)
    assert again.identical, [str(d) for d in again.differences]


def test_codings_resolve_and_rescore_on_each_backend(tiny_catalog_on_each_backend: str) -> None:
    """The label-source reads (clips of a dataset, annotations of clips, stored predictions) on SQLite
    and on PostgreSQL, without training: a run's predictions are written as a finished run's would be."""
    url = tiny_catalog_on_each_backend
    release = _me_clips(url)
    _code(url, "alice", flip=False)
    _code(url, "bob", flip=True)
    with session_factory(url)() as s:
        majority, resolved = labelled_clips(s, ["synthetic-casme2"], "majority")
    surprise = {cid for cid, label in release.items() if label == "surprise"}
    assert {c.clip_id for c in majority} == surprise  # alice and bob tie on every flipped clip
    assert resolved is not None and set(resolved.ties) == set(release) - surprise
    with session_factory(url)() as s:
        s.add(Run(id="r1", kind="loso", variant="full", seed=0, status="succeeded", config={}))
        s.flush()
        s.add_all(
            Prediction(run_id="r1", clip_id=cid, fold="f", truth=label, predicted=label, probs={})
            for cid, label in release.items()
        )
        s.commit()
    assert api.run_info("r1").labels == "source"  # a config without labels: the release's coding
    assert api.rescore_run(api.local_actor(), "r1", "source").uf1 == 1.0
    flipped = api.rescore_run(api.local_actor(), "r1", "annotator:bob")
    assert flipped.n_scored == 12 and flipped.accuracy == pytest.approx(4 / 12)  # only surprise agrees
    tie = api.rescore_run(api.local_actor(), "r1", "majority")
    assert (tie.n_scored, tie.ties) == (4, 8)
    # a coder's codings stay blind: a re-score (it carries each clip's coded label) is refused to a coder
    coder = api.Actor(name="cal", role="coder", login="cal", signed_in=False)
    with pytest.raises(NotAllowed, match=r"cal \(coder\) may not re-score"):
        api.rescore_run(coder, "r1", "annotator:bob")
