"""STRS as STRS-Metric (genbing99/STRS-Metric, ``strs_metric.py``) defines it, its code's departures as
a labelled compatibility mode, and spot-then-recognise from CSVs in `glimpse spot-eval`.

No file of that repository is here. ``SAMPLE_HITS`` is derived from its sample (``data/gt.csv`` and
``data/pred.csv``: 244 videos, each with one truth and one prediction): for the 159 videos where the
prediction hits the truth, the count of each (truth emotion, predicted emotion); in the other 85 it
misses. Only that decides STRS, so intervals built from it give what its ``main.py`` prints on the
sample (run once with pandas 1.5.3, outside this repository): STRS 0.3862. The five minimal cases'
compatibility figures were checked the same way against its ``Evaluator``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.spotting.intervals import Interval
from engine.spotting.strs import score_str

runner = CliRunner()

SAMPLE_HITS = {
    ("disgust", "disgust"): 18,
    ("disgust", "happiness"): 2,
    ("disgust", "others"): 23,
    ("happiness", "happiness"): 8,
    ("happiness", "others"): 3,
    ("happiness", "repression"): 1,
    ("others", "disgust"): 8,
    ("others", "happiness"): 6,
    ("others", "others"): 49,
    ("others", "repression"): 4,
    ("others", "surprise"): 1,
    ("repression", "disgust"): 2,
    ("repression", "happiness"): 3,
    ("repression", "others"): 8,
    ("repression", "repression"): 4,
    ("surprise", "others"): 1,
    ("surprise", "repression"): 1,
    ("surprise", "surprise"): 17,
}
SAMPLE_MISSES = 85
# what its main.py prints on the sample, each rounded to 4 decimals
PRINTED = {
    "STRS": 0.3862,
    "TP spotting": 159,
    "FP spotting": 85,
    "FN spotting": 85,
    "F1-score spotting": 0.6516,
    "Precision analysis": 0.5983,
    "Recall analysis": 0.5872,
    "F1-score analysis": 0.5927,
    "UF1 analysis": 0.5766,
    "UAR analysis": 0.5983,  # its "UAR" is the mean precision
}


def sample() -> tuple[list[Interval], list[Interval]]:
    truth: list[Interval] = []
    preds: list[Interval] = []
    n = 0
    for (gt, pred), count in SAMPLE_HITS.items():
        for _ in range(count):
            n += 1
            truth.append(Interval(f"EP{n}", 10, 50, label=gt, subject=str(n % 26)))
            preds.append(Interval(f"EP{n}", 15, 55, label=pred, subject=str(n % 26)))  # IoU 36/46
    for _ in range(SAMPLE_MISSES):
        n += 1
        truth.append(Interval(f"EP{n}", 10, 50, label="others", subject=str(n % 26)))
        preds.append(Interval(f"EP{n}", 40, 90, label="others", subject=str(n % 26)))  # IoU 11/81
    return truth, preds


@pytest.mark.parametrize("mode", ["rule", "strs_metric_code"])
def test_strs_on_the_derived_sample_equals_what_its_main_prints(mode: str) -> None:
    s = score_str(*sample(), mode).summary()
    assert round(s["strs"], 4) == PRINTED["STRS"]
    assert (s["spotting_tp"], s["spotting_fp"], s["spotting_fn"]) == (159, 85, 85)
    assert round(s["spotting_f1"], 4) == PRINTED["F1-score spotting"]
    assert round(s["analysis_macro_precision"], 4) == PRINTED["Precision analysis"]
    assert round(s["analysis_macro_recall"], 4) == PRINTED["Recall analysis"]
    assert round(s["analysis_f1"], 4) == PRINTED["F1-score analysis"]
    assert round(s["uf1"], 4) == PRINTED["UF1 analysis"]
    assert round(s["uar"], 4) == PRINTED["Recall analysis"]  # UAR is the mean recall, not its "UAR"
    if mode == "strs_metric_code":
        assert round(s["strs_metric_uar"], 4) == PRINTED["UAR analysis"]
    else:
        assert "strs_metric_uar" not in s


def iv(video: str, onset: int, offset: int, emotion: str, subject: str = "1") -> Interval:
    return Interval(video, onset, offset, label=emotion, subject=subject)


def both(truth: list[Interval], preds: list[Interval]) -> tuple[dict, dict]:
    return score_str(truth, preds, "rule").summary(), score_str(truth, preds, "strs_metric_code").summary()


def test_departure_1_one_wide_prediction_is_two_tps_only_in_its_code() -> None:
    truth = [iv("v", 0, 99, "happiness"), iv("v", 5, 104, "happiness"), iv("v", 200, 220, "surprise")]
    rule, code = both(truth, [iv("v", 0, 104, "happiness"), iv("v", 200, 220, "surprise")])
    assert (rule["spotting_tp"], rule["spotting_fn"], rule["strs"]) == (2, 1, pytest.approx(0.8))
    assert (code["spotting_tp"], code["spotting_fn"], code["strs"]) == (3, 0, 1.0)


def test_departure_2_a_subject_without_predictions_contributes_no_misses_in_its_code() -> None:
    truth = [iv("v", 0, 20, "happiness"), iv("v", 30, 50, "surprise"), iv("w", 0, 20, "happiness", "2")]
    rule, code = both(truth, [iv("v", 0, 20, "happiness"), iv("v", 30, 50, "surprise")])
    assert (rule["spotting_fn"], rule["strs"]) == (1, pytest.approx(0.8))
    assert (code["spotting_fn"], code["strs"]) == (0, 1.0)


def test_departure_3_a_video_without_ground_truth_is_ignored_in_its_code() -> None:
    truth = [iv("v", 0, 20, "happiness"), iv("v", 30, 50, "surprise")]
    preds = [iv("v", 0, 20, "happiness"), iv("v", 30, 50, "surprise"), iv("x", 0, 20, "happiness")]
    rule, code = both(truth, preds)
    assert (rule["spotting_fp"], rule["strs"]) == (1, pytest.approx(0.8))
    assert (code["spotting_fp"], code["strs"]) == (0, 1.0)


def test_departure_4_all_pairs_one_emotion_recognised_correctly_scores_zero_in_its_code() -> None:
    truth = [iv("v", 0, 20, "happiness"), iv("v", 30, 50, "happiness")]
    rule, code = both(truth, list(truth))
    assert rule["analysis_f1"] == 1.0 and rule["strs"] == 1.0
    assert code["analysis_f1"] == 0.0 and code["strs"] == 0.0  # its code: 0/0 = NaN; Glimpse: 0


def test_departure_5_its_uar_is_the_mean_precision() -> None:
    truth = [iv("v", 0, 20, "happiness"), iv("v", 30, 50, "happiness"), iv("v", 60, 80, "surprise")]
    rule, code = both(truth, [iv("v", 0, 20, "happiness"), iv("v", 30, 50, "surprise")])
    assert rule["uar"] == code["uar"] == 0.25  # happiness recall 1/2, surprise 0
    assert code["strs_metric_uar"] == 0.5 and rule["strs"] == code["strs"] == pytest.approx(0.8 / 3)


def test_one_frame_intervals_are_hits_in_strs_as_its_numpy_iou_counts_them() -> None:
    s = score_str([iv("v", 7, 7, "happiness")], [iv("v", 7, 7, "happiness")]).summary()
    assert s["spotting_tp"] == 1


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_spot_eval_reports_str_when_both_csvs_carry_emotions(tmp_path: Path) -> None:
    truth = write(
        tmp_path / "t.csv",
        "subject,video,onset,offset,emotion\n1,v,0,20,happiness\n1,v,30,50,happiness\n1,v,60,80,surprise\n",
    )
    pred = write(
        tmp_path / "p.csv", "subject,video,onset,offset,emotion\n1,v,0,20,happiness\n1,v,30,50,surprise\n"
    )
    result = runner.invoke(app, ["spot-eval", str(truth), str(pred), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["tp"], data["fp"], data["fn"]) == (2, 0, 1)  # the MEGC spotting figures stay beside
    s = data["str"]
    assert s["mode"] == "rule" and s["strs"] == pytest.approx(0.8 / 3)
    assert (s["analysis_f1"], s["uf1"], s["uar"]) == (pytest.approx(1 / 3), pytest.approx(1 / 3), 0.25)
    assert s["per_emotion"]["happiness"] == {
        "tp": 1,
        "fp": 0,
        "fn": 1,
        "precision": 1.0,
        "recall": 0.5,
        "f1": pytest.approx(2 / 3),
    }
    code = json.loads(
        runner.invoke(
            app, ["spot-eval", str(truth), str(pred), "--json", "--strs-mode", "strs_metric_code"]
        ).output
    )["str"]
    assert code["strs_metric_uar"] == 0.5 and code["mode_label"].startswith("compatibility mode")
    table = runner.invoke(app, ["spot-eval", str(truth), str(pred)])
    assert "STRS 0.2667" in table.output and "analysis F1 0.3333" in table.output
    assert "UF1 0.3333" in table.output and "UAR 0.2500" in table.output
    # emotions in one CSV only: spotting figures, no STR
    plain = write(tmp_path / "plain.csv", "subject,video,onset,offset\n1,v,0,20\n")
    assert "str" not in json.loads(runner.invoke(app, ["spot-eval", str(truth), str(plain), "--json"]).output)
    # a subject column in one CSV only is refused, naming the file without it
    nosub = write(tmp_path / "nosub.csv", "video,onset,offset,emotion\nv,0,20,happiness\n")
    bad = runner.invoke(app, ["spot-eval", str(truth), str(nosub)])
    assert (
        bad.exit_code == 2 and "only one CSV has a subject column" in bad.output and "nosub.csv" in bad.output
    )
