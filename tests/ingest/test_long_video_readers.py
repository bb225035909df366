"""The long-video readers on fixtures of the releases' layouts, quirks and bad rows included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from ingest_layouts import (
    CASME3_CODE_FILE,
    CASME_SQ_CODE_FILE,
    SAMM_LV_CODE_FILE,
    casme2,
    casme3,
    casme_sq,
    frame,
    samm,
    samm_lv,
    xlsx,
)
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import engine.ingest.catalog as catalog_module
from db.queries import add_interval, dataset_intervals, intervals_for, recordings
from db.schema import FLAG_APEX_UNKNOWN, FLAG_OFFSET_UNKNOWN, RECORDING, Clip, Frame, Interval
from db.session import default_url, session_factory
from engine import api
from engine.cli import catalog as catalog_cli
from engine.errors import GlimpseError
from engine.ingest import READERS
from engine.ingest.catalog import ingest_dataset
from engine.ingest.formats import detect_format
from engine.ingest.listing import Listing

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


def _samm_lv_release(root: Path) -> Path:
    rows = [
        ("006_1_1", 10, 14, 20, "Micro - 1/2", "R12"),
        ("006_1_2", 30, 60, 90, "Macro", "6+12"),
        ("006_1_3", 95, -1, -1, "Macro", "4"),  # apex and offset unknown: no end
        ("006_1_4", 100, 104, 250, "Macro", "4"),  # past the video's last frame
        ("006_2_1", 5, 7, 9, "Micro - 1/2", "4"),  # a video that is not there
        ("006_3_1", 5, 7, 9, "Micro - 1/2", "4"),  # a video with a hole
        ("007_1_1", 3, 3, 8, "Micro - 1/2", "1+2"),
        ("007_1_2", 9, 11, 20, "Smile", ""),  # unknown type
    ]
    return samm_lv(
        root,
        rows,
        {"006_1": 120, "006_3": [1, 2, 3, 4, 6, 7, 8, 9, 10], "007_1": 30},
        emotions={"006_1_1": "Contempt", "007_1_1": "Surprise"},
    )


def test_samm_lv_header_below_note_rows_and_emotions_from_the_micro_coding(tmp_path: Path) -> None:
    result = READERS["samm_lv"](_samm_lv_release(tmp_path / "SAMM_LV"))
    assert result.fps == 200.0 and result.meta["header_row"] == 10 and result.meta["emotions_from"]
    by_name = {c.name: c for c in result.clips}
    assert sorted(by_name) == ["006_1", "007_1"]
    video = by_name["006_1"]
    assert (video.kind, video.subject, video.path, len(video.frames)) == (
        RECORDING,
        "006",
        "SAMM_longvideos/006_1",
        120,
    )
    assert video.frames[0].path == "SAMM_longvideos/006_1/006_1_00001.jpg"
    assert [(i.name, i.onset, i.apex, i.offset, i.type, i.emotion, i.label) for i in video.intervals] == [
        ("006_1_1", 10, 14, 20, "micro", "Contempt", "negative"),
        ("006_1_2", 30, 60, 90, "macro", None, None),
    ]
    assert [(i.name, i.onset, i.apex, i.label) for i in by_name["007_1"].intervals] == [
        ("007_1_1", 3, 3, "surprise")
    ]
    issues = {i.row: i.reason for i in result.issues}
    assert all(i.file == SAMM_LV_CODE_FILE for i in result.issues)
    assert sorted(issues) == [13, 14, 15, 16, 18]  # header on row 10, data from row 11
    assert "no end" in issues[13] and "outside the video's frames 1–120" in issues[14]
    assert "'006_2' has no folder" in issues[15] and "missing 1 frame(s)" in issues[16]
    assert "neither Micro nor Macro" in issues[18]


def test_casme3_part_a_with_onset_equal_to_apex(tmp_path: Path) -> None:
    rows = [
        ("spNO.1", "b", 10, 10, 18, "4", "negative", "disgust"),  # onset = apex, as in the release
        ("spNO.1", "b", 30, 33, 38, "12", "positive", "happy"),
        ("spNO.1", "c", 5, 6, 7, "1", "surprise", "surprise"),  # no such video
        ("spNO.2", "a", 3, 2, 9, "4", "negative", "fear"),  # apex before onset
        (2, "A", 12, 14, 20, "4", "negative", "others"),  # another label version: subject 2, upper case
    ]
    root = casme3(tmp_path / "CASME3", rows, {("spNO.1", "b"): 40, ("spNO.2", "a"): 25})
    result = READERS["casme3"](root)
    assert result.fps == 30.0
    by_name = {c.name: c for c in result.clips}
    assert sorted(by_name) == ["spNO.1_b", "spNO.2_a"]
    video = by_name["spNO.1_b"]
    assert (video.subject, video.path, len(video.frames)) == ("spNO.1", "ME_A/spNO.1/b/color", 40)
    assert video.frames[0].path == "ME_A/spNO.1/b/color/1.jpg"  # the depth stream beside it is not read
    assert [(i.onset, i.apex, i.offset, i.emotion, i.label, i.type) for i in video.intervals] == [
        (10, 10, 18, "disgust", "negative", "micro"),
        (30, 33, 38, "happy", "positive", "micro"),
    ]
    assert [(i.emotion, i.label) for i in by_name["spNO.2_a"].intervals] == [("others", None)]
    issues = {i.row: i.reason for i in result.issues}
    assert sorted(issues) == [4, 5] and all(i.file == CASME3_CODE_FILE for i in result.issues)
    assert "spNO.1/c has no folder" in issues[4] and "outside onset–offset" in issues[5]


def test_detection_names_each_release_and_refuses_to_guess(tmp_path: Path) -> None:
    assert detect_format(_casme_sq_release(tmp_path / "sq")) == "casme_sq"
    assert detect_format(_samm_lv_release(tmp_path / "lv")) == "samm_lv"  # micro coding file beside it
    assert detect_format(casme3(tmp_path / "c3", [], {("spNO.1", "a"): 2})) == "casme3"
    assert detect_format(samm(tmp_path / "s", [("006", "006_1_2", 5, 6, 7, "", "Anger")])) == "samm"
    cropped = casme2(tmp_path / "c2c", [(1, "EP01", 2, 3, 4, "", "happiness")], release="cropped")
    assert detect_format(cropped) == "casme2"  # its Cropped/ folder is not CAS(ME)²'s cropped/
    listing = Listing.of(tmp_path / "lv")  # detection never lists the frame folders of a long video
    assert not [p for p in listing.files if p.suffix == ".jpg"] and listing.dir(["006_1"]) is not None
    both = casme2(tmp_path / "both", [(1, "EP01", 2, 3, 4, "", "happiness")])
    frame(both / "rawpic" / "s15" / "15_0101x" / "img1.jpg")
    with pytest.raises(GlimpseError, match="could be any of these formats: casme2, casme_sq") as error:
        detect_format(both)
    assert "--format" in error.value.hint
    unknown = tmp_path / "coded"
    frame(unknown / "sub01" / "clip" / "img1.jpg")
    xlsx(unknown / "labels_v2.xlsx", [("Subject", "Clip", "Onset")])
    with pytest.raises(GlimpseError, match="a coding file is here \\(labels_v2.xlsx\\)"):
        detect_format(unknown)  # never silently an unlabelled folder


def test_long_videos_into_the_catalog_idempotent_and_keeping_people_s_intervals(
    session: Session, tmp_path: Path
) -> None:
    root = _casme_sq_release(tmp_path / "CASME_sq")
    report = ingest_dataset(session, root, name="sq")
    assert (report.format, report.purpose, report.n_recordings, report.n_intervals) == (
        "casme_sq",
        "spotting",
        3,
        4,
    )
    assert report.n_frames == 60 + 12 + 5 and len(report.issues) == 7
    teeth = next(c for c in recordings(session, ["sq"]) if c.name == TEETH[1])
    assert (teeth.kind, teeth.first_frame, teeth.last_frame, teeth.n_frames, teeth.n_annotators) == (
        RECORDING,
        1,
        60,
        60,
        0,
    )
    assert session.scalar(select(func.count()).select_from(Frame).where(Frame.clip_id == teeth.id)) == 60
    source = intervals_for(session, teeth.id, "source")
    assert [(i.name, i.apex, i.flags) for i in source] == [
        ("disgust1_1", 14, []),
        ("disgust1_2", None, [FLAG_APEX_UNKNOWN]),
        ("disgust1_3", 55, [FLAG_OFFSET_UNKNOWN]),
    ]
    spot = add_interval(
        session,
        teeth.id,
        "ana",
        44,
        50,
        "micro",
        provenance={"method": "mdmd", "run": "r1", "threshold": 0.4},
    )
    session.commit()
    ids = [i.id for i in source]
    again = ingest_dataset(session, root, name="sq")
    assert (again.n_new, again.n_missing) == (0, 0)
    assert [i.id for i in intervals_for(session, teeth.id, "source")] == ids  # unchanged coding, same ids
    # the release changes one interval: only that recording's coding is rewritten; ana's spot stays
    book = load_workbook(root / CASME_SQ_CODE_FILE)
    book["CASFEcode_final"]["C1"] = 11
    book.save(root / CASME_SQ_CODE_FILE)
    ingest_dataset(session, root, name="sq")
    assert [i.onset for i in intervals_for(session, teeth.id, "source")] == [11, 30, 40]
    assert [(i.id, i.provenance["run"]) for i in intervals_for(session, teeth.id, "ana")] == [(spot.id, "r1")]
    assert [c.name for c, _ in dataset_intervals(session, "sq", "ana")] == [TEETH[1]]


def test_a_failure_while_writing_intervals_leaves_the_catalog_as_it_was(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _samm_lv_release(tmp_path / "lv")

    def boom(*_args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(catalog_module, "_source_intervals", boom)
    with pytest.raises(RuntimeError):
        ingest_dataset(session, root, name="lv")
    assert session.scalar(select(func.count()).select_from(Clip)) == 0
    assert session.scalar(select(func.count()).select_from(Interval)) == 0
    assert session.scalar(select(func.count()).select_from(Frame)) == 0


def test_add_interval_checks_the_recording_and_the_marks(session: Session, tmp_path: Path) -> None:
    ingest_dataset(session, _samm_lv_release(tmp_path / "lv"), name="lv")
    video = next(c for c in recordings(session, ["lv"]) if c.name == "007_1")
    for args, message in (
        (("ana", 5, 40, "micro"), "outside the recording's frames 1–30"),
        (("ana", 9, 5, "micro"), "onset 9 is after offset 5"),
        (("source", 2, 5, "micro"), "dataset's own coding"),
        (("ana", 2, 5, "blink"), "interval type 'blink' is unknown"),
    ):
        with pytest.raises(GlimpseError, match=message):
            add_interval(session, video.id, *args)


def test_catalog_stats_json_reports_videos_intervals_subjects(home: Path, tmp_path: Path) -> None:
    app = typer.Typer()
    catalog_cli.register(app)
    runner = CliRunner()

    with session_factory(default_url())() as session:
        ingest_dataset(session, _samm_lv_release(tmp_path / "lv"), name="lv")
        ingest_dataset(session, casme2(tmp_path / "c2", [(1, "EP01", 2, 3, 4, "", "happiness")]), name="c2")
    result = runner.invoke(app, ["catalog", "stats", "--json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert (stats["lv"]["videos"], stats["lv"]["intervals"], stats["lv"]["subjects"]) == (2, 3, 2)
    assert stats["lv"]["intervals_by_type"] == {"macro": 1, "micro": 2} and stats["lv"]["format"] == "samm_lv"
    assert (stats["c2"]["videos"], stats["c2"]["intervals"], stats["c2"]["clips"]) == (0, 0, 1)
    table = runner.invoke(app, ["catalog", "stats"])
    assert table.exit_code == 0  # the table carries the same columns (wrapped to the terminal)


def test_pages_see_the_new_formats_and_the_long_video_datasets(home: Path, tmp_path: Path) -> None:
    with session_factory(default_url())() as session:
        ingest_dataset(session, _samm_lv_release(tmp_path / "lv"), name="lv")
        ingest_dataset(session, casme2(tmp_path / "c2", [(1, "EP01", 2, 3, 4, "", "happiness")]), name="c2")
    assert {"casme_sq", "samm_lv", "casme3", "casme2"} <= set(api.dataset_formats())
    assert api.long_video_datasets() == ["lv"]
