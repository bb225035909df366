"""AppTest of the Spotting page on a real spotting run of the toy long-video catalog."""

from __future__ import annotations

import pytest
from app.app_support import metric, page  # type: ignore[import-not-found]
from spotting_catalog import DATASET
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.schema import Dataset, Job
from db.schema import Interval as IntervalRow
from engine import api
from engine.api import jobs as api_jobs
from engine.spotting.config import SpotConfig
from engine.spotting.run import run_spotting


@pytest.fixture()
def spot_run(long_dataset: Dataset, db_url: str) -> str:
    return run_spotting(db_url, DATASET, SpotConfig(method="fd")).run_id


def test_page_shows_metrics_timeline_and_player_link(spot_run: str) -> None:
    at = page("spotting").run()
    assert not at.exception, at.exception
    detail = api.spot_run_detail(spot_run)
    assert metric(at, "F1") == f"{detail.metrics['f1']:.3f}"
    assert metric(at, "TP") == str(detail.metrics["tp"])
    assert "SYNTHETIC" in at.selectbox(key="spot_run").format_func(spot_run)
    assert any("SYNTHETIC" in c.value for c in at.caption)
    by_video = at.dataframe[1].value
    assert sorted(by_video["video"]) == sorted(detail.videos.values())
    items = at.dataframe[2].value
    assert {"truth", "prediction"} <= set(items["lane"]) and set(items["result"]) <= {"TP", "FP", "FN"}
    clip_id = at.selectbox(key="spot_video").value
    assert items["player"].iloc[0].startswith(f"/annotate?clip={clip_id}&frame=")
    (link,) = [el for el in at.get("page_link") if "Open the player" in el.proto.label]
    assert link.proto.page == "annotate" and link.proto.query_string.startswith(f"clip={clip_id}&frame=")


def test_accepting_a_prediction_stores_an_interval_with_provenance(spot_run: str, session: Session) -> None:
    at = page("spotting").run()
    items = at.dataframe[2].value
    index = int(items.index[items["lane"] == "prediction"][0])
    at.selectbox(key="spot_item").set_value(index).run()
    at.text_input(key="ann_annotator").input("ana").run()
    at.button(key="spot_accept").click().run()
    assert not at.exception, at.exception
    assert any("saved for ana" in s.value for s in at.success)
    row = session.scalars(select(IntervalRow).where(IntervalRow.annotator == "ana")).one()
    chosen = items.iloc[index]
    assert (row.onset, row.offset, row.type) == (chosen.onset, chosen.offset, chosen.type)
    assert row.provenance["method"] == "fd" and row.provenance["run"] == spot_run
    assert set(row.provenance["threshold"]) == {"train_f1", "half_s", "p"}


def test_page_without_runs_offers_to_start_one(long_dataset: Dataset, session: Session, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(api_jobs, "ensure_worker", lambda: None)  # no background worker in a page test
    at = page("spotting").run()
    assert any("No spotting run yet" in i.value for i in at.info)
    at.selectbox(key="spot_method").select("logreg")
    at.button(key="spot_go").click().run()
    job = session.scalars(select(Job)).one()
    assert (job.kind, job.params) == ("spot", {"dataset": DATASET, "method": "logreg"})
