"""Writer → reader round trip: a tiny real ablation writes its runs (run_ablation), and the facade
functions the pages call read its comparison, predictions and trajectories back — the storage contract
tested end to end instead of against a hand-seeded catalog."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from app.app_support import page  # type: ignore[import-not-found]
from sqlalchemy import select

from db.schema import Clip, Dataset, Metric, Run
from db.session import session_factory
from engine import api
from engine.cli.train import print_comparison
from engine.labels import LABELS_ME
from engine.train.ablation import run_ablation
from engine.train.config import AblationConfig


def test_pages_read_back_what_an_ablation_wrote(
    tiny_catalog: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = dataclasses.replace(AblationConfig.tiny(), variants=("fir", "full"), seeds=(0, 1))
    parent_id, written = run_ablation(tiny_catalog, cfg)
    with session_factory(tiny_catalog)() as s:
        children = {r.id: r for r in s.scalars(select(Run).where(Run.parent_id == parent_id))}
        uf1 = {
            m.run_id: m.value
            for m in s.scalars(
                select(Metric).where(
                    Metric.run_id.in_(list(children)), Metric.scope == "overall", Metric.name == "uf1"
                )
            )
        }
        labelled = set(
            s.scalars(
                select(Clip.id)
                .join(Dataset)
                .where(Dataset.name == "synthetic-casme2", Clip.label.in_(LABELS_ME))
            )
        )
        for run in children.values():
            s.expunge(run)
    assert len(children) == 4

    # comparison: read back from the artefact, the same figures the ablation returned
    assert api.ablations()["id"].tolist() == [parent_id]
    result = api.compare(ablation_id=parent_id)
    assert result.variants == ("fir", "full") and result.synthetic
    assert result.document == written
    summary = result.summary.set_index(["variant", "metric"])
    for variant in ("fir", "full"):
        seeds = sorted((r for r in children.values() if r.variant == variant), key=lambda r: r.seed)
        assert summary.loc[(variant, "uf1"), "mean"] == pytest.approx(np.mean([uf1[r.id] for r in seeds]))
        assert summary.loc[(variant, "uf1"), "n"] == 2
    tests = api.paired_tests(parent_id).set_index(["comparison", "test"])
    by_seed = written["paired"]["full_vs_fir"]["by_seed_uf1"]
    assert tests.loc[("full_vs_fir", "by_seed_uf1"), "mean_diff"] == pytest.approx(by_seed["mean_diff"])
    assert by_seed["mean_diff"] == pytest.approx(
        np.mean([uf1[r.id] for r in children.values() if r.variant == "full"])
        - np.mean([uf1[r.id] for r in children.values() if r.variant == "fir"])
    )
    assert result.paired.equals(api.paired_tests(parent_id))

    # predictions: the confusion matrix and the clips behind each of its cells
    child = next(r for r in children.values() if r.variant == "full")
    detail = api.run_detail(child.id)
    assert detail.labels == LABELS_ME and detail.n_predictions == len(labelled) == 12
    assert detail.overall["uf1"] == pytest.approx(uf1[child.id])
    cells = [
        [len(api.cell_clips(child.id, truth, predicted)) for predicted in detail.labels]
        for truth in detail.labels
    ]
    np.testing.assert_array_equal(detail.confusion, cells)
    listed = {int(c) for t in LABELS_ME for p in LABELS_ME for c in api.cell_clips(child.id, t, p).clip_id}
    assert listed == labelled

    # trajectories: every child stored per-frame features of every labelled clip
    index = api.trajectory_index()
    assert set(index) == set(children) and all(set(clips) == labelled for clips in index.values())
    clip_id = min(labelled)
    trajectory = api.trajectories(child.id, clip_id)
    assert trajectory.features.shape == (cfg.sequence.seq_len, 32) and trajectory.pca.shape == (6, 2)
    assert trajectory.score_labels == LABELS_ME
    assert trajectory.scores is not None and np.allclose(trajectory.scores.sum(axis=1), 1, atol=1e-4)
    onset, offset = (
        api.clip_detail(clip_id, api.local_actor()).onset,
        api.clip_detail(clip_id, api.local_actor()).offset,
    )
    assert onset is not None and offset is not None
    assert all(onset <= f <= offset for f in trajectory.frames)

    # the CLI's table reads the same document
    print_comparison(parent_id)
    table = capsys.readouterr().out
    full = written["variants"]["full"]
    assert f"{full['uf1_mean']:.3f} ± {full['uf1_sd']:.3f}" in table
    assert "FULL vs FIR: " in table and "2 seeds — too few for an interval (needs 3)" in table  # the verdict

    # and the pages themselves open on it
    at = page("compare", timeout=120).run()
    assert not at.exception
    assert "Variants: **FIR** · **FULL**" in [m.value for m in at.markdown]
    at = page("trajectories", timeout=120)
    at.session_state["clip_id"] = clip_id
    at.run()
    assert not at.exception and len(at.get("plotly_chart")) == 2
