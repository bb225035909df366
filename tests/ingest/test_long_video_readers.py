"""The long-video readers on fixtures of the releases' layouts, quirks and bad rows included."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_layouts import CASME_SQ_CODE_FILE, casme_sq

from db.schema import FLAG_APEX_UNKNOWN, FLAG_OFFSET_UNKNOWN, RECORDING
from engine.errors import GlimpseError
from engine.ingest import READERS

TEETH = ("s15", "15_0101disgustingteeth")
ANGER = ("s15", "15_0401girlcrashing")
SECOND = ("s16", "16_0102eatingworms")


def _casme_sq_release(root: Path) -> Path:
    rows = [
        (1, "disgust1_1", 10, 14, 20, "4+10", "negative", "micro-expression", "disgust"),
        (1, "disgust1_2", 30, 0, 36, "9", "negative", "micro-expression", "disgust"),  # apex unknown
        (1, "disgust1_3", 40, 55, 0, "12", "positive", "macro-expression", "happy"),  # offset unknown
        (1, "disgust1_4", 70, 75, 90, "12", "positive", "macro-expression", "happy"),  # past the last frame
        (1, "disgust1_5", 50, 45, 40, "4", "negative", "micro-expression", "disgust"),  # onset > offset
        (1, "anger1_1", 5, 6, 8, "4", "negative", "micro-expression", "anger"),  # video with a hole
        (2, "disgust2_1", 3, 4, 9, "1+2", "surprise", "micro-expression", "surprise"),
        (2, "anger1_1", 3, 4, 9, "4", "negative", "micro-expression", "anger"),  # s16 has no anger1 folder
        (3, "disgust2_2", 3, 4, 9, "4", "negative", "micro-expression", "anger"),  # subject not in sheet 2
        (2, "sadness9_1", 3, 4, 9, "4", "negative", "micro-expression", "sad"),  # name not in sheet 3
        (2, "disgust2_3", 0, 4, 9, "4", "others", "micro-expression", "others"),  # onset unknown
    ]
    return casme_sq(
        root,
        rows,
        {TEETH: 60, ANGER: [1, 2, 3, 5, 6, 7, 8, 9], SECOND: 12, ("s16", "16_0502uncoded"): 5},
        names=((101, "disgust1"), (102, "disgust2"), (401, "anger1"), (502, "happy1")),
    )


def test_casme_sq_recordings_and_intervals_through_the_naming_sheets(tmp_path: Path) -> None:
    result = READERS["casme_sq"](_casme_sq_release(tmp_path / "CASME_sq"))
    assert result.fps == 30.0 and result.purpose == "spotting"
    by_name = {c.name: c for c in result.clips}
    assert sorted(by_name) == ["15_0101disgustingteeth", "16_0102eatingworms", "16_0502uncoded"]
    teeth = by_name["15_0101disgustingteeth"]
    assert (teeth.kind, teeth.subject, teeth.path, teeth.fps) == (
        RECORDING,
        "s15",
        "rawpic/s15/15_0101disgustingteeth",
        30.0,
    )
    assert [f.number for f in teeth.frames] == list(range(1, 61))
    assert teeth.frames[0].path == "rawpic/s15/15_0101disgustingteeth/img1.jpg"
    assert teeth.onset is None and teeth.label is None
    got = [(i.name, i.onset, i.apex, i.offset, i.type, i.label, i.emotion, i.flags) for i in teeth.intervals]
    assert got == [
        ("disgust1_1", 10, 14, 20, "micro", "negative", "disgust", ()),
        ("disgust1_2", 30, None, 36, "micro", "negative", "disgust", (FLAG_APEX_UNKNOWN,)),
        ("disgust1_3", 40, 55, 55, "macro", "positive", "happy", (FLAG_OFFSET_UNKNOWN,)),
    ]
    assert teeth.intervals[0].aus == "4+10"
    assert [i.name for i in by_name["16_0102eatingworms"].intervals] == ["disgust2_1"]
    assert by_name["16_0502uncoded"].intervals == []  # an uncoded video is still a recording

    issues = {i.row: i for i in result.issues}
    assert all(i.file == CASME_SQ_CODE_FILE for i in result.issues)
    assert sorted(issues) == [4, 5, 6, 8, 9, 10, 11]
    assert "outside the video's frames 1–60" in issues[4].reason
    assert "after offset" in issues[5].reason
    assert "missing 1 frame(s)" in issues[6].reason and "15_0401girlcrashing" in issues[6].reason
    assert "no folder rawpic/s16/<nn>_0401" in issues[8].reason
    assert "subject 3" in issues[9].reason and "'sadness9'" in issues[10].reason
    assert "onset 0 is unknown" in issues[11].reason


def test_casme_sq_without_naming_sheets_says_so(tmp_path: Path) -> None:
    root = casme_sq(
        tmp_path / "c", [(1, "disgust1_1", 2, 3, 4, "", "negative", "micro-expression", "")], {TEETH: 5}
    )
    from openpyxl import load_workbook

    book = load_workbook(root / CASME_SQ_CODE_FILE)
    del book["naming rule1"]
    book.save(root / CASME_SQ_CODE_FILE)
    with pytest.raises(GlimpseError, match="no naming sheet for subject numbers"):
        READERS["casme_sq"](root)
