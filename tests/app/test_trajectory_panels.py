"""Trajectories: one panel per run (small multiples), a score legend that names each class once, and
the marks of the coding the user picks rather than the release's only."""

from __future__ import annotations

import json
import shutil

from app_support import open_on_clip  # type: ignore[import-not-found]

from db.schema import Artifact
from db.session import session_scope
from engine import api


def _second_run_with_features(seeded) -> None:  # noqa: ANN001
    """The FIR seed-0 child stored per-frame features too (a copy of the seeded FULL run's file)."""
    folder = seeded.home / "runs" / "abl-1-fir-0"
    folder.mkdir(parents=True)
    shutil.copy(seeded.home / "runs" / seeded.run_id / "trajectories.npz", folder / "trajectories.npz")
    with session_scope(seeded.url) as s:
        s.add(Artifact(run_id="abl-1-fir-0", kind="features", path="runs/abl-1-fir-0/trajectories.npz"))


def _figures(at) -> tuple[dict, dict]:  # noqa: ANN001
    charts = {c.proto.id: json.loads(c.proto.spec) for c in at.get("plotly_chart")}
    pca = next(v for k, v in charts.items() if "traj_pca" in k)
    scores = next(v for k, v in charts.items() if "traj_scores" in k)
    return pca, scores


def test_each_run_gets_its_own_panel_and_the_legend_names_each_class_once(seeded) -> None:
    _second_run_with_features(seeded)
    at = open_on_clip("trajectories", seeded.clip_ids[0])
    assert not at.exception
    pca, scores = _figures(at)
    paths = [t for t in pca["data"] if t["mode"] == "lines+markers"]
    assert len(paths) == 2 and {t.get("xaxis", "x") for t in paths} == {"x", "x2"}  # two panels
    titles = [a["text"] for a in pca["layout"]["annotations"]]
    assert titles == ["full · run-full-0", "fir · abl-1-fir-0"]
    lines = [t for t in scores["data"] if t["mode"] == "lines" and t["x"] != [None]]  # not the marks' keys
    assert len(lines) == 6 and {t.get("yaxis", "y") for t in lines} == {"y", "y2"}  # 2 runs × 3 classes
    legend = [t["name"] for t in lines if t.get("showlegend", True)]
    assert legend == ["negative", "positive", "surprise"]  # 3 entries, not 6 (or 12 for four runs)
    keys = [t["name"] for t in scores["data"] if t["x"] == [None]]
    assert keys == ["onset 101 (source)", "apex 104 (source)", "offset 107 (source)"]


def test_the_marks_are_those_of_the_chosen_coding(seeded) -> None:
    cid = seeded.clip_ids[0]
    api.save_annotation(api.local_actor("alice"), cid, 102, 106, 108, "12", "happiness")
    at = open_on_clip("trajectories", cid)
    assert at.selectbox(key="traj_coding").options == ["source", "alice"]
    _, scores = _figures(at)
    assert sorted(s["x0"] for s in scores["layout"]["shapes"]) == [101, 104, 107]  # the release's
    at.selectbox(key="traj_coding").select("alice").run()
    pca, scores = _figures(at)
    assert sorted(s["x0"] for s in scores["layout"]["shapes"]) == [102, 106, 108]
    apex = next(t for t in pca["data"] if t["name"] == "apex (alice)")
    assert apex["hovertemplate"].startswith("apex 106 (alice)")
