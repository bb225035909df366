"""Spotters on toy long videos: they find the expressions, choose thresholds on training subjects only,
and give the same answer through Ray as locally."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from spotting_toy import toy_dataset, toy_video

from engine.errors import GlimpseError
from engine.jobs.ray_executor import RayExecutor
from engine.spotting import SPOTTERS
from engine.spotting.config import SpotConfig
from engine.spotting.curves import difference_curve, spot_peaks, threshold
from engine.spotting.learned import frame_labels, runs_above
from engine.spotting.loso import run_fold, spot_loso


@pytest.fixture(scope="module")
def videos():  # noqa: ANN201
    return toy_dataset()


def test_registry_holds_both_families() -> None:
    assert {"fd", "logreg"} <= set(SPOTTERS)


def test_difference_curve_peaks_at_the_apex_and_threshold_is_mean_plus_p_range() -> None:
    video = toy_video("v", "s", 30.0, 200, [(90, 99, "micro", "mouth", 20.0)], seed=1)
    curve = difference_curve(video.features, 3)
    assert 92 <= int(np.argmax(curve)) <= 97  # the bump's apex is frame 94.5
    assert threshold(np.array([0.0, 1.0, 2.0, 5.0]), 0.5) == pytest.approx(2.0 + 0.5 * 3.0)
    (found,) = spot_peaks(curve, video.numbers, "v", 30.0, 3, 0.5)
    assert found.offset - found.onset == 6 and found.type == "micro"  # [peak−3, peak+3], 7 frames


@pytest.mark.parametrize(("method", "min_f1"), [("fd", 0.9), ("logreg", 0.7)])
def test_loso_spotting_finds_the_toy_expressions(videos, method: str, min_f1: float) -> None:  # noqa: ANN001
    result = spot_loso(videos, SpotConfig(method=method))
    assert len(result.folds) == 3
    assert result.report.overall.f1 >= min_f1
    assert result.report.by_type["micro"].recall >= 0.9
    assert {i.type for i in result.predictions} == {"micro", "macro"}
    assert set(result.curves) == {v.video for v in videos}


def test_thresholds_come_from_training_subjects_only(videos) -> None:  # noqa: ANN001
    """Changing the held-out subject's truth changes nothing its fold chose or predicted."""
    hidden = [dataclasses.replace(v, truth=()) if v.subject == "s0" else v for v in videos]
    for method in ("fd", "logreg"):
        config = SpotConfig(method=method)
        a, b = run_fold("s0", videos, config), run_fold("s0", hidden, config)
        assert a.params == b.params and a.predictions == b.predictions
        # …while the training subjects' truth does matter
        moved = [dataclasses.replace(v, truth=()) if v.subject == "s1" else v for v in videos]
        assert run_fold("s0", moved, config).params != a.params


def test_frame_labels_and_runs() -> None:
    video = toy_video("v", "s", 30.0, 20, [(3, 5, "micro", "mouth", 5.0), (10, 16, "macro", "nose", 5.0)], 0)
    assert frame_labels(video).tolist() == [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0]
    prob = np.array([0, 0.9, 0.9, 0, 0.95, 0, 0, 0.8, 0.8, 0.8])
    runs = runs_above(prob, 0.7, np.arange(10) + 100, "v", 4.0)  # a lone frame is no interval
    assert [(i.onset, i.offset, i.type) for i in runs] == [(101, 102, "micro"), (107, 109, "macro")]
    merged = runs_above(prob, 0.7, np.arange(10) + 100, "v", 4.0, gap=2)  # dips of ≤ 2 frames bridged
    assert [(i.onset, i.offset) for i in merged] == [(101, 109)]


def test_bad_setups_are_user_errors(videos) -> None:  # noqa: ANN001
    with pytest.raises(GlimpseError, match="at least 2 subjects"):
        spot_loso([v for v in videos if v.subject == "s0"], SpotConfig())
    with pytest.raises(GlimpseError, match="unknown spotting method 'nope'.*fd"):
        spot_loso(videos, SpotConfig(method="nope"))


@pytest.mark.ray
def test_folds_on_ray_equal_local(videos) -> None:  # noqa: ANN001
    pytest.importorskip("ray")
    import ray

    local = spot_loso(videos, SpotConfig(method="fd"))
    try:
        remote = spot_loso(videos, SpotConfig(method="fd"), executor=RayExecutor(num_cpus=2))
    finally:
        ray.shutdown()  # a private Ray of this test only: later tests must not find it joined
    assert remote.predictions == local.predictions
    assert remote.report == local.report
