"""The MEGC log, line for line as the organisers' generator (``gen_MEGC2020_log_file.py``) writes it.

Every expected line below is built by hand from the generator's rules: the dataset number first, then
``<video>   <truth onset>`` padded to column 18, truth offset to 26, prediction onset to 34, prediction
offset to 42, the result; ``-`` for an absent side; the subject folder without its ``s``; per video each
type's prediction lines then truth lines, stably sorted by the prediction's onset (TP/FP) or the truth's
(FN); a TP line per prediction (its first truth) and one more per truth whose first prediction's line
names another truth. (On the organisers' shipped predictions the whole 9,035-line log came out identical
to theirs; that check ran outside this repository.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.errors import GlimpseError
from engine.spotting.intervals import Interval
from engine.spotting.log import log_line, megc_dataset_number, spotting_log_text, write_spotting_log
from engine.spotting.metrics import evaluate_spotting

runner = CliRunner()


def iv(video: str, onset: int, offset: int, kind: str = "micro") -> Interval:
    return Interval(video, onset, offset, kind)


def test_lines_are_padded_to_the_generators_columns() -> None:
    report = evaluate_spotting(
        [iv("s15_0101", 10, 30), iv("s15_0101", 500, 600, "macro")],
        [iv("s15_0101", 12, 30), iv("s15_0101", 1000, 1010)],
    )
    assert spotting_log_text(report, 2).splitlines() == [
        "2",
        "15_0101   10      30      12      30      TP",
        "15_0101   500     600     -       -       FN",
        "15_0101   -       -       1000    1010    FP",
    ]
    # SAMM names keep their digits ("019_7"); a field past its column is glued on ("--"), as theirs does
    long = evaluate_spotting([iv("019_7", 1, 9)], [iv("abcdefghijkl_0001", 100, 120)])
    assert [log_line(o) for o in long.outcomes] == [
        "abcdefghijkl_0001   --    100     120     FP",
        "019_7   1         9       -       -       FN",
    ]


def test_types_are_merged_per_video_and_sorted_stably_by_the_generators_key() -> None:
    # micro lines are made first, then macro; a macro FP at onset 40 sorts before the micro FN at 50,
    # and the micro FP and macro FN that share onset 70 keep the order they were made in
    truth = [iv("v_1", 50, 60), iv("v_1", 70, 200, "macro")]
    preds = [iv("v_1", 70, 80), iv("v_1", 40, 45, "macro")]
    lines = spotting_log_text(evaluate_spotting(truth, preds)).splitlines()
    assert [line.split()[-1] for line in lines[1:]] == ["FP", "FN", "FP", "FN"]
    assert lines[1:] == [
        "v_1   -           -       40      45      FP",
        "v_1   50          60      -       -       FN",
        "v_1   -           -       70      80      FP",
        "v_1   70          200     -       -       FN",
    ]


def test_a_prediction_on_two_truths_and_two_predictions_on_one_truth() -> None:
    # P1 hits T1 and T2 (its line names T1, the first); T2's first prediction is P1, whose line names
    # T1, so T2 gets a line of its own. P2 also hits T1: its own TP line; T1 gets no extra line.
    truth = [iv("v_1", 0, 99), iv("v_1", 5, 104)]
    preds = [iv("v_1", 0, 104), iv("v_1", 2, 99)]
    lines = spotting_log_text(evaluate_spotting(truth, preds)).splitlines()[1:]
    assert lines == [
        "v_1   0           99      0       104     TP",
        "v_1   5           104     0       104     TP",
        "v_1   0           99      2       99      TP",
    ]


def test_videos_follow_the_truths_order_with_prediction_only_videos_after_their_predecessor() -> None:
    truth = [iv("b_1", 10, 20), iv("a_1", 10, 20), iv("d_1", 10, 20)]
    preds = [iv("b_1", 500, 510), iv("c_1", 10, 20), iv("d_1", 500, 510)]
    lines = spotting_log_text(evaluate_spotting(truth, preds)).splitlines()[1:]
    assert [line.split()[0] for line in lines] == ["b_1", "b_1", "c_1", "a_1", "d_1", "d_1"]


def test_dataset_numbers_and_a_folder_or_file_parent_is_refused_with_nothing_written(tmp_path: Path) -> None:
    assert megc_dataset_number("CASME2-long") == 2 and megc_dataset_number("SAMM-LV") == 1
    report = evaluate_spotting([iv("v_1", 0, 9)], [])
    with pytest.raises(GlimpseError, match="not one of 1"):
        write_spotting_log(tmp_path / "log.txt", report, 3)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(GlimpseError, match="is a folder"):
        write_spotting_log(tmp_path, report)
    (tmp_path / "file").write_text("x")
    with pytest.raises(GlimpseError, match="folder is a file"):
        write_spotting_log(tmp_path / "file" / "log.txt", report)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_cli_log_to_a_folder_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    truth = tmp_path / "t.csv"
    truth.write_text("video,onset,offset\nv,0,9\n", encoding="utf-8")
    folder = tmp_path / "logs"
    folder.mkdir()
    result = runner.invoke(app, ["spot-eval", str(truth), str(truth), "--log", str(folder)])
    said = "".join(result.output.split())  # the console wraps long lines
    assert result.exit_code == 2 and "isafolder" in said and "".join(str(folder).split()) in said
    assert list(folder.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["logs", "t.csv"]
    result = runner.invoke(app, ["spot-eval", str(truth), str(truth), "--log", str(tmp_path / "l.txt")])
    assert (
        result.exit_code == 0
        and (tmp_path / "l.txt").read_text() == "1\nv   0             9       0       9       TP\n"
    )
