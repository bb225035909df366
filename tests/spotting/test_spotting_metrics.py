"""MEGC2020 spotting counts on hand-computed edge cases, the strict option, the CSV contract and
`glimpse spot-eval` (the official figures: test_megc_official.py; the log: test_megc_log.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.errors import GlimpseError
from engine.spotting.intervals import Interval, read_intervals_csv, type_by_duration, write_intervals_csv
from engine.spotting.metrics import Counts, evaluate_spotting, hit_pairs, iou

runner = CliRunner()


def iv(onset: int, offset: int, kind: str = "", video: str = "v1") -> Interval:
    return Interval(video, onset, offset, kind)


def counts(truth: list[Interval], preds: list[Interval], matching: str = "megc2020") -> tuple[int, int, int]:
    c = evaluate_spotting(truth, preds, matching).overall
    return c.tp, c.fp, c.fn


def test_two_predictions_on_one_truth_are_one_tp_and_one_fp() -> None:
    report = evaluate_spotting([iv(10, 29)], [iv(10, 29), iv(12, 29)])  # IoU 1.0 and 18/20
    assert (report.overall.tp, report.overall.fp, report.overall.fn) == (1, 1, 0)
    assert report.overall.precision == 0.5 and report.overall.recall == 1.0
    assert report.overall.f1 == pytest.approx(2 / 3)
    assert counts([iv(10, 29)], [iv(10, 29), iv(12, 29)], "one_to_one") == (1, 1, 0)


def test_one_prediction_finding_two_truths_is_two_tps_under_megc2020_only() -> None:
    # the official evaluator counts truths found (2) over predictions (1): precision 2, as its code has it
    truth, preds = [iv(0, 99), iv(5, 104)], [iv(0, 104)]  # IoU 100/105 with each
    report = evaluate_spotting(truth, preds)
    assert report.overall == Counts(2, -1, 0)
    assert report.overall.precision == 2.0 and report.overall.recall == 1.0
    assert report.overall.f1 == pytest.approx(2 * 2 / (1 + 2))  # 2·found / (predictions + truths)
    assert counts(truth, preds, "one_to_one") == (1, 0, 1)
    strict = evaluate_spotting(truth, preds, "one_to_one").to_dict()
    assert strict["matching_rule"] == "strict one-to-one — not the MEGC figure"


def test_one_frame_intervals_never_hit_as_the_official_calc_iou_has_it() -> None:
    # calc_iou returns 0 when offset <= onset, even for two identical one-frame intervals
    assert counts([iv(5, 5)], [iv(5, 5)]) == (0, 1, 1)
    assert counts([iv(5, 5)], [iv(5, 5)], "one_to_one") == (0, 1, 1)
    assert counts([iv(5, 6)], [iv(5, 6)]) == (1, 0, 0)  # two frames are enough
    assert hit_pairs([iv(5, 5)], [iv(5, 5)], one_frame_hits=True) == [(0, 0)]  # STRS-Metric's IoU


def test_overlap_just_under_half_misses_and_exactly_half_hits() -> None:
    truth = [iv(0, 99)]  # 100 frames
    assert iou(iv(0, 48), truth[0]) == pytest.approx(0.49)
    assert counts(truth, [iv(0, 48)]) == (0, 1, 1)  # 49/100
    assert counts(truth, [iv(0, 49)]) == (1, 0, 0)  # 50/100: IoU ≥ 0.5 counts
    # IoU exactly 1/2 with a union that is not a "nice" float: 7 of 14 frames
    assert counts([iv(0, 13)], [iv(7, 13)]) == (1, 0, 0)
    assert counts([iv(0, 14)], [iv(8, 14)]) == (0, 1, 1)  # 7 of 15


def test_no_predictions_and_no_truth() -> None:
    none = evaluate_spotting([iv(0, 9), iv(50, 59), iv(0, 9, video="v2")], [])
    assert none.overall == Counts(0, 0, 3)
    assert (none.overall.precision, none.overall.recall, none.overall.f1) == (0.0, 0.0, 0.0)
    only_preds = evaluate_spotting([], [iv(0, 9), iv(20, 29)])
    assert only_preds.overall == Counts(0, 2, 0) and only_preds.overall.f1 == 0.0


def test_overall_pools_the_per_type_counts_so_a_micro_prediction_never_claims_a_macro_truth() -> None:
    report = evaluate_spotting([iv(0, 59, "macro"), iv(100, 109, "micro")], [iv(0, 59, "micro")])
    assert report.by_type["micro"] == Counts(0, 1, 1)
    assert report.by_type["macro"] == Counts(0, 0, 1)
    assert report.overall == Counts(0, 1, 2)  # the sum, not a type-blind re-match (that would be 1 TP)


def test_strict_greedy_matching_takes_the_best_iou_first() -> None:
    # p1 overlaps both truths at 0.6 and p2 matches B exactly; matching p1 to B first (in prediction
    # order, ties to the later truth) would leave p2 unmatched. Greedy by IoU: p2–B (1.0), p1–A (0.6).
    truth = [iv(0, 19), iv(10, 29)]
    preds = [iv(5, 24), iv(10, 29)]
    assert iou(preds[0], truth[0]) == pytest.approx(0.6) and iou(preds[0], truth[1]) == pytest.approx(0.6)
    assert counts(truth, preds, "one_to_one") == (2, 0, 0)


def test_sweep_finds_exactly_the_pairs_a_full_comparison_finds() -> None:
    import random

    rng = random.Random(7)
    for _ in range(200):
        truth = [
            iv(o, o + rng.randint(0, 40)) for o in (rng.randint(0, 200) for _ in range(rng.randint(0, 8)))
        ]
        preds = [
            iv(o, o + rng.randint(0, 40)) for o in (rng.randint(0, 200) for _ in range(rng.randint(0, 8)))
        ]
        every = [
            (ti, pi)
            for ti, t in enumerate(truth)
            for pi, p in enumerate(preds)
            if p.length > 1
            and t.length > 1
            and 2 * min(p.offset, t.offset) - 2 * max(p.onset, t.onset) + 2
            >= p.length + t.length - max(0, min(p.offset, t.offset) - max(p.onset, t.onset) + 1)
        ]
        assert hit_pairs(truth, preds) == every


def test_counts_are_pooled_over_videos_not_averaged() -> None:
    truth = [iv(0, 9), iv(30, 39), iv(0, 9, video="v2")]
    preds = [iv(0, 9), iv(30, 39), iv(50, 59, video="v2")]
    report = evaluate_spotting(truth, preds)
    assert report.overall == Counts(2, 1, 1)
    assert report.overall.f1 == pytest.approx(2 / 3)  # per-video mean would be (1 + 0) / 2
    assert report.by_video == {"v1": Counts(2, 0, 0), "v2": Counts(0, 1, 1)}
    # with a subject column, a video is subject + video: the same name under two subjects is two videos
    keyed = evaluate_spotting([Interval("v", 0, 9, subject="a")], [Interval("v", 0, 9, subject="b")])
    assert keyed.overall == Counts(0, 1, 1) and set(keyed.by_video) == {"a/v", "b/v"}
    # the same frames in another video never match
    assert counts([iv(0, 9, video="a")], [iv(0, 9, video="b")]) == (0, 1, 1)


def test_type_by_duration_at_the_videos_fps() -> None:
    assert type_by_duration(15, 30.0) == "micro"  # exactly 0.5 s
    assert type_by_duration(16, 30.0) == "macro"
    assert type_by_duration(100, 200.0) == "micro"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_round_trip_and_bad_rows_name_file_and_row(tmp_path: Path) -> None:
    rows = [Interval("s15_0101", 10, 40, "macro", score=0.5, apex=20), Interval("s15_0101", 90, 99, "micro")]
    path = write_intervals_csv(tmp_path / "p.csv", rows)
    back = read_intervals_csv(path)
    assert [(i.video, i.onset, i.offset, i.type) for i in back] == [
        ("s15_0101", 10, 40, "macro"),
        ("s15_0101", 90, 99, "micro"),
    ]
    bad = write(tmp_path / "bad.csv", "video,onset,offset\nv,1,5\nv,9,3\n")
    with pytest.raises(GlimpseError, match=r"bad.csv, row 3: onset 9 is after offset 3"):
        read_intervals_csv(bad)
    with pytest.raises(GlimpseError, match="missing column"):
        read_intervals_csv(write(tmp_path / "cols.csv", "video,start,end\nv,1,2\n"))
    with pytest.raises(GlimpseError, match=r"row 2: type 'mikro'"):
        read_intervals_csv(write(tmp_path / "type.csv", "video,onset,offset,type\nv,1,2,mikro\n"))
    with pytest.raises(GlimpseError, match=r"row 2: onset 'x'"):
        read_intervals_csv(write(tmp_path / "num.csv", "video,onset,offset\nv,x,2\n"))
    with pytest.raises(GlimpseError, match=r"neg.csv, row 3: onset '-3' is negative"):
        read_intervals_csv(write(tmp_path / "neg.csv", "video,onset,offset\nv,1,5\nv,-3,65\n"))
    with pytest.raises(GlimpseError, match=r"frac.csv, row 2: offset '7.5' is not a whole frame number"):
        read_intervals_csv(write(tmp_path / "frac.csv", "video,onset,offset\nv,1,7.5\n"))
    latin = tmp_path / "latin.csv"
    latin.write_bytes("video,onset,offset\nv,1,5\nCaf\u00e9,1,5\n".encode("latin-1"))
    with pytest.raises(GlimpseError, match=r"latin.csv, row 3: the file is not UTF-8 text \(byte 0xe9\)"):
        read_intervals_csv(latin)
    bom = tmp_path / "bom.csv"
    bom.write_bytes("video,onset,offset\nv,1,5\n".encode("utf-8-sig"))
    assert read_intervals_csv(bom) == [Interval("v", 1, 5)]  # Excel's UTF-8 with a BOM reads


def test_cli_spot_eval_json_matches_hand_counts(tmp_path: Path) -> None:
    truth = write(
        tmp_path / "truth.csv",
        "video,onset,offset,type\nv1,10,29,micro\nv1,100,199,macro\nv2,0,99,macro\nv3,5,9,micro\n",
    )
    # v1: two predictions on the micro truth (1 TP + 1 FP); macro hit at exactly half (TP)
    # v2: just under half (FP + FN); v3: no prediction (FN)
    pred = write(
        tmp_path / "pred.csv",
        "video,onset,offset,type\nv1,10,29,micro\nv1,12,29,micro\nv1,100,149,macro\nv2,0,48,macro\n",
    )
    result = runner.invoke(app, ["spot-eval", str(truth), str(pred), "--json", "--log", str(tmp_path / "l")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["tp"], data["fp"], data["fn"]) == (2, 2, 2)
    assert data["precision"] == 0.5 and data["recall"] == 0.5 and data["f1"] == 0.5
    assert data["by_type"]["micro"] == {"tp": 1, "fp": 1, "fn": 1, "precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert (data["by_type"]["macro"]["tp"], data["by_type"]["macro"]["fp"]) == (1, 1)
    assert data["matching"] == "megc2020" and "str" not in data  # no emotion columns: no STR
    assert len((tmp_path / "l").read_text().splitlines()) == 1 + 6  # dataset line + one per outcome
    table = runner.invoke(app, ["spot-eval", str(truth), str(pred)])
    assert table.exit_code == 0 and "overall" in table.output and "0.5000" in table.output
    assert "MEGC2020 rule" in table.output
    strict = runner.invoke(app, ["spot-eval", str(truth), str(pred), "--matching", "one_to_one"])
    assert strict.exit_code == 0 and "not the MEGC figure" in strict.output
    unknown = runner.invoke(app, ["spot-eval", str(truth), str(pred), "--matching", "best"])
    assert unknown.exit_code == 2 and "unknown --matching 'best'" in unknown.output


def test_cli_spot_eval_types_untyped_rows_by_fps_and_reports_bad_files(tmp_path: Path) -> None:
    truth = write(tmp_path / "t.csv", "video,onset,offset\nv,0,9\nv,100,199\n")
    pred = write(tmp_path / "p.csv", "video,onset,offset\nv,0,9\nv,100,199\n")
    result = runner.invoke(app, ["spot-eval", str(truth), str(pred), "--json", "--fps", "30"])
    data = json.loads(result.output)
    assert data["by_type"]["micro"]["tp"] == 1 and data["by_type"]["macro"]["tp"] == 1
    untyped = json.loads(runner.invoke(app, ["spot-eval", str(truth), str(pred), "--json"]).output)
    assert untyped["tp"] == 2 and untyped["by_type"] == {}
    typed = write(tmp_path / "typed.csv", "video,onset,offset,type\nv,0,9,micro\n")
    mixed = runner.invoke(app, ["spot-eval", str(typed), str(pred)])
    assert mixed.exit_code == 2 and "some intervals have a type" in mixed.output and "--fps" in mixed.output
    bad = runner.invoke(app, ["spot-eval", str(truth), str(tmp_path / "missing.csv")])
    assert bad.exit_code == 2 and "intervals CSV not found" in bad.output
    negative = write(tmp_path / "neg.csv", "video,onset,offset\nv,-1,9\n")
    log = tmp_path / "never.log"
    refused = runner.invoke(app, ["spot-eval", str(truth), str(negative), "--log", str(log)])
    said = " ".join(refused.output.split())  # the console wraps long lines
    assert refused.exit_code == 2 and "neg.csv, row 2: onset '-1' is negative" in said
    assert "Traceback" not in refused.output and not log.exists() and not log.with_suffix(".log.tmp").exists()
