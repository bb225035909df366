"""The Results page: a run's metrics, confusion matrix and the clips of one cell. AppTest against
conftest.py's seeded catalog."""

from __future__ import annotations

import numpy as np
from app_support import metric, page, texts  # type: ignore[import-not-found]

from engine import api


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
