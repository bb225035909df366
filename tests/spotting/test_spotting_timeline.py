"""The Spotting page's timeline figure: overlapping bars stay separate, hover names onset–offset as the
table does, and the method's threshold is drawn on the curve (a real fd run on the toy catalog)."""

from __future__ import annotations

import numpy as np
import pytest
from spotting_catalog import DATASET

from db.schema import Dataset
from engine import api
from engine.spotting.config import SpotConfig
from engine.spotting.curves import threshold
from engine.spotting.run import run_spotting
from workbench.pages.spotting import stacked_lanes, timeline_figure


def item(lane: str, result: str, onset: int, offset: int) -> api.TimelineItem:
    return api.TimelineItem(lane, result, onset, offset, "micro", None, None, 0.0)


def test_overlapping_false_positives_get_rows_of_their_own() -> None:
    items = [
        item("truth", "TP", 100, 140),
        item("prediction", "TP", 104, 344),
        item("prediction", "FP", 120, 180),  # overlaps the first prediction
        item("prediction", "FP", 150, 200),  # overlaps both
        item("prediction", "FP", 350, 380),  # after all of them: back on the first row
    ]
    assert stacked_lanes(items) == ["truth", "prediction", "prediction 2", "prediction 3", "prediction"]


def test_bars_hover_with_the_tables_onset_and_offset() -> None:
    items = (
        item("truth", "FN", 10, 30),
        item("prediction", "FP", 104, 344),
        item("prediction", "FP", 200, 260),
    )
    timeline = api.VideoTimeline(7, "v", "s1", 200.0, np.arange(400), np.zeros(400), items, {})
    fig = timeline_figure(timeline, "t")
    fp = next(t for t in fig.data if t.name == "FP")
    assert [list(c) for c in fp.customdata] == [[1, 104, 344], [2, 200, 260]]
    assert "%{x}" not in fp.hovertemplate and "%{customdata[1]}–%{customdata[2]}" in fp.hovertemplate
    assert list(fp.y) == ["prediction", "prediction 2"]  # two bars, not one merged
    assert [b + x - 1 for b, x in zip(fp.base, fp.x, strict=True)] == [344, 260]


@pytest.fixture()
def spot_run(long_dataset: Dataset, db_url: str) -> str:
    return run_spotting(db_url, DATASET, SpotConfig(method="fd")).run_id


def test_threshold_line_is_where_the_method_cut_the_curve(spot_run: str) -> None:
    detail = api.spot_run_detail(spot_run)
    clip_id = sorted(detail.videos)[0]
    timeline = api.video_timeline(spot_run, clip_id)
    p = detail.metrics["folds"][timeline.subject]["micro"]["p"]
    assert p is not None
    assert timeline.thresholds["micro"] == pytest.approx(threshold(timeline.curve, p))
    fig = timeline_figure(timeline, "t")
    lines = [shape.y0 for shape in fig.layout.shapes]
    assert lines == [pytest.approx(timeline.thresholds["micro"])]
    assert any("micro threshold" in a.text for a in fig.layout.annotations)
