"""Each reader on a fixture that reproduces its dataset's official layout (tiny frames)."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from ingest_layouts import casme2, ckplus, frame, samm, smic

from engine.errors import GlimpseError
from engine.ingest import READERS
from engine.ingest.catalog import detect_format, read_dataset
from engine.ingest.common import frame_number
from engine.ingest.labels import casme2_five_class, ckplus_macro_label, megc_label

CASME2_ROWS = [
    (1, "EP02_01f", 46, 59, 86, "12", "happiness"),
    (1, "EP03_02", 10, 14, 20, "4+L10", "disgust"),
    (2, "EP01_11f", 5, 8, 12, "14", "repression"),
    (2, "EP06_01f", 3, 5, 9, "1+2", "fear"),
    (4, "EP12_01f", 20, "/", 30, "4", "disgust"),
    (5, "EP09_05f", 2, 4, 6, "R12", "others"),
]


def test_frame_number_comes_from_the_file_name() -> None:
    assert frame_number("img46.jpg") == 46
    assert frame_number("reg_img7.jpg") == 7
    assert frame_number("006_05562.jpg") == 5562
    assert frame_number("S005_001_00000011.png") == 11
    assert frame_number("glimpse_landmarks.json") is None


def test_casme2_raw(tmp_path: Path) -> None:
    root = casme2(tmp_path / "CASME2", CASME2_ROWS)
    (root / "CASME2_RAW_selected/sub01/EP02_01f/glimpse_landmarks.json").write_text("{}")
    result = READERS["casme2"](root)
    by_name = {c.name: c for c in result.clips}
    assert len(result.clips) == 6
    assert result.fps == 200.0 and result.meta["header_row"] == 1
    first = by_name["EP02_01f"]
    assert (first.subject, first.onset, first.apex, first.offset) == ("sub01", 46, 59, 86)
    assert [f.number for f in first.frames] == list(range(44, 89))  # img44 … img88, json ignored
    assert first.frames[0].path == "CASME2_RAW_selected/sub01/EP02_01f/img44.jpg"
    assert (first.label, first.emotion_raw, first.action_units) == ("positive", "happiness", "12")
    assert by_name["EP03_02"].label == "negative" and by_name["EP01_11f"].label == "negative"
    assert by_name["EP06_01f"].label is None  # CASME II fear is excluded from the MEGC classes
    assert by_name["EP06_01f"].emotion_raw == "fear"
    assert by_name["EP09_05f"].label is None  # others
    slash = by_name["EP12_01f"]
    assert slash.apex is None and slash.meta["apex_missing"] is True
    assert [(i.row, "ApexFrame" in i.reason) for i in result.issues] == [(6, True)]


def test_casme2_frames_map_by_number_not_listing_order(tmp_path: Path) -> None:
    root = casme2(
        tmp_path / "c", [(1, "EP01", 8, 9, 11, "", "surprise")], frame_ranges={(1, "EP01"): (8, 12)}
    )
    clip = READERS["casme2"](root).clips[0]
    assert [f.number for f in clip.frames] == [8, 9, 10, 11, 12]  # lexical order would put img10 first


def test_casme2_cropped_release(tmp_path: Path) -> None:
    root = casme2(tmp_path / "c", CASME2_ROWS[:2], release="cropped")
    result = READERS["casme2"](root)
    assert result.meta["release"] == "cropped"
    assert result.clips[0].frames[0].path == "Cropped/sub01/EP02_01f/reg_img44.jpg"


def test_smic_labels_subjects_and_estimated_apex(tmp_path: Path) -> None:
    root = smic(
        tmp_path / "SMIC",
        [
            ("s1", "negative", "s1_ne_01", 5),
            ("s1", "positive", "s1_po_01", 4),
            ("s2", "surprise", "s2_sur_01", 7),
        ],
    )
    (root / "HS/s1/non_micro").mkdir(parents=True)
    result = READERS["smic"](root)
    clips = {c.name: c for c in result.clips}
    assert sorted(clips) == ["s1_ne_01", "s1_po_01", "s2_sur_01"]
    ne = clips["s1_ne_01"]
    assert (ne.subject, ne.label, ne.fps, ne.apex_estimated) == ("s1", "negative", 100.0, True)
    assert (ne.onset, ne.apex, ne.offset) == (586000, 586002, 586004)
    assert clips["s2_sur_01"].label == "surprise" and clips["s1_po_01"].label == "positive"
    assert result.issues == []


def test_smic_cropped_release(tmp_path: Path) -> None:
    root = smic(tmp_path / "S", [("s3", "positive", "s3_po_05", 3)], cropped=True)
    result = READERS["smic"](root)
    assert result.meta["release"] == "cropped"
    assert result.clips[0].path == "SMIC_all_cropped/HS/s3/micro/positive/s3_po_05"


def test_samm_header_below_note_rows(tmp_path: Path) -> None:
    root = samm(
        tmp_path / "SAMM_root",
        [
            ("006", "006_1_2", 5562, 5588, 5608, "4+7", "Anger"),
            ("006", "006_1_3", 100, 110, 120, "12", "Happiness"),
            ("007", "007_3_1", 10, 12, 20, "1+2", "Surprise"),
            ("007", "007_5_2", 30, 33, 40, "14", "Other"),
            ("011", "011_2_1", 50, 55, 60, "4", "Contempt"),
            ("011", "011_3_3", 70, 72, 74, "4", "Disgust"),
        ],
    )
    from openpyxl import load_workbook

    book = load_workbook(root / "SAMM_Micro_FACS_Codes_v2.xlsx")
    book.active.cell(row=20, column=6, value=-1)  # the last clip's offset: unknown
    book.save(root / "SAMM_Micro_FACS_Codes_v2.xlsx")
    result = READERS["samm"](root)
    assert result.meta["header_row"] == 14  # 13 note rows above it
    clips = {c.name: c for c in result.clips}
    assert len(clips) == 6
    unknown = clips["011_3_3"]
    assert (unknown.onset, unknown.apex, unknown.offset, unknown.meta["offset_unknown"]) == (
        70,
        72,
        None,
        "true",
    )
    anger = clips["006_1_2"]
    assert (anger.subject, anger.onset, anger.apex, anger.offset) == ("006", 5562, 5588, 5608)
    assert anger.frames[0].path == "SAMM/006/006_1_2/006_05561.jpg"
    assert {n: c.label for n, c in clips.items()} == {
        "006_1_2": "negative",
        "006_1_3": "positive",
        "007_3_1": "surprise",
        "007_5_2": None,
        "011_2_1": "negative",
        "011_3_3": "negative",
    }
    assert anger.meta["Objective Classes"] == "1"


def test_ckplus_labelled_and_unlabelled(tmp_path: Path) -> None:
    root = ckplus(
        tmp_path / "CK+", [("S005", "001", 11, 3.0), ("S005", "002", 6, None), ("S010", "004", 8, 5.0)]
    )
    assert (root / "Emotion/S005/001/S005_001_00000011_emotion.txt").read_text() == "   3.0000000e+00\n"
    result = READERS["ckplus"](root)
    assert result.purpose == "macro"
    clips = {(c.subject, c.name): c for c in result.clips}
    disgust = clips[("S005", "001")]
    assert (disgust.label, disgust.emotion_raw, disgust.meta["emotion_code"]) == ("negative", "disgust", 3)
    assert (disgust.kind, disgust.onset, disgust.apex, disgust.offset, len(disgust.frames)) == (
        "macro",
        1,
        11,
        11,
        11,
    )
    assert clips[("S005", "002")].label is None and clips[("S005", "002")].emotion_raw == ""
    assert clips[("S010", "004")].label == "positive"


def test_folder_images_and_clips(tmp_path: Path) -> None:
    root = tmp_path / "faces"
    frame(root / "happy" / "a.png")
    frame(root / "happy" / "b.png")
    frame(root / "surprise" / "clip1" / "f1.png")
    frame(root / "surprise" / "clip1" / "f2.png")
    frame(root / "id_07" / "x.png")
    frame(root / "unlabelled" / "y.png")
    result = READERS["folder"](root)
    kinds = sorted((c.name, c.kind, c.label, c.subject) for c in result.clips)
    assert kinds == [
        ("happy/a", "image", "positive", "unknown"),
        ("happy/b", "image", "positive", "unknown"),
        ("id_07/x", "image", None, "id_07"),
        ("surprise/clip1", "micro", "surprise", "unknown"),
        ("unlabelled/y", "image", None, "unknown"),
    ]
    assert result.purpose == "micro"


def test_video_with_csv(tmp_path: Path) -> None:
    root = tmp_path / "vids"
    root.mkdir()
    writer = cv2.VideoWriter(str(root / "a.avi"), cv2.VideoWriter_fourcc(*"MJPG"), 25.0, (32, 32))
    for i in range(12):
        writer.write(np.full((32, 32, 3), i * 10, dtype=np.uint8))
    writer.release()
    (root / "clips.csv").write_text(
        "clip,subject,onset,apex,offset,emotion\na.avi,p1,2,5,8,happiness\na,p1,3,4,30,surprise\nb.avi,p2,1,2,3,fear\n"
    )
    result = READERS["video"](root)
    assert len(result.clips) == 1
    clip = result.clips[0]
    assert (clip.subject, clip.onset, clip.apex, clip.offset, clip.label) == ("p1", 2, 5, 8, "positive")
    assert [f.number for f in clip.frames] == list(range(2, 9)) and clip.frames[0].path == "a.avi"
    assert result.fps == pytest.approx(25.0)
    assert sorted(i.row for i in result.issues) == [3, 4]  # offset past the end; missing video


def test_detect_format(tmp_path: Path) -> None:
    assert detect_format(casme2(tmp_path / "a", CASME2_ROWS[:1])) == "casme2"
    assert detect_format(smic(tmp_path / "b", [("s1", "positive", "c", 2)])) == "smic"
    assert detect_format(samm(tmp_path / "c", [("006", "006_1_2", 5, 6, 7, "", "Anger")])) == "samm"
    assert detect_format(ckplus(tmp_path / "d", [("S005", "001", 2, 3.0)])) == "ckplus"
    frame(tmp_path / "e" / "happy" / "x.png")
    assert detect_format(tmp_path / "e") == "folder"


def test_labels() -> None:
    assert megc_label("casme2", "Repression") == "negative"
    assert megc_label("casme2", "sadness") is None and megc_label("samm", "Sadness") == "negative"
    assert megc_label("samm", "Other") is None and megc_label("casme2", "others") is None
    assert casme2_five_class("others") == "others" and casme2_five_class("fear") is None
    assert [ckplus_macro_label(c) for c in range(8)] == [
        "neutral",
        "negative",
        "negative",
        "negative",
        "negative",
        "positive",
        "negative",
        "surprise",
    ]


# ----------------------------------------------------------------------------- bad input


def test_casme2_missing_column_names_the_file(tmp_path: Path) -> None:
    from ingest_layouts import xlsx

    root = casme2(tmp_path / "c", CASME2_ROWS[:1])
    xlsx(
        root / "CASME2-coding-20140508.xlsx",
        [("Subject", "Filename", "OnsetFrame", "OffsetFrame"), (1, "x", 1, 2)],
    )
    with pytest.raises(GlimpseError) as error:
        READERS["casme2"](root)
    assert "CASME2-coding-20140508.xlsx" in str(error.value) and "ApexFrame" in str(error.value)


def test_casme2_missing_coding_file(tmp_path: Path) -> None:
    root = casme2(tmp_path / "c", CASME2_ROWS[:1])
    (root / "CASME2-coding-20140508.xlsx").unlink()
    with pytest.raises(GlimpseError, match="coding file"):
        READERS["casme2"](root)


def test_casme2_bad_rows_are_reported_by_row(tmp_path: Path) -> None:
    rows = [
        (1, "EP01", 5, 6, 8, "", "happiness"),  # row 2: fine
        (1, "EP02", 9, 8, 4, "", "happiness"),  # row 3: onset after offset
        (1, "EP03", 5, 6, 9, "", "surprise"),  # row 4: a frame missing inside 5–9
        (1, "EP04", 5, 6, 9, "", "surprise"),  # row 5: corrupt apex image
        (1, "EP05", 5, 6, 9, "", "surprise"),  # row 6: empty frame file
        (1, "../../etc", 5, 6, 9, "", "surprise"),  # row 7: path escaping the root
    ]
    ranges = {(1, "EP02"): (2, 10), (1, "../../etc"): (5, 9)}
    root = casme2(tmp_path / "data" / "c", rows[:-1], frame_ranges=ranges)
    from ingest_layouts import CASME2_HEADER, xlsx

    xlsx(
        root / "CASME2-coding-20140508.xlsx",
        [CASME2_HEADER] + [(s, n, None, a, b, c, None, u, e) for s, n, a, b, c, u, e in rows],
    )
    (root / "CASME2_RAW_selected/sub01/EP03/img7.jpg").unlink()
    (root / "CASME2_RAW_selected/sub01/EP04/img6.jpg").write_bytes(b"not a jpeg at all")
    (root / "CASME2_RAW_selected/sub01/EP05/img8.jpg").write_bytes(b"")
    _, result, _ = read_dataset(root, "casme2")  # the reader's structure checks, then every frame decoded
    assert [c.name for c in result.clips] == ["EP01"]
    reasons = {i.row: i.reason for i in result.issues}
    assert sorted(reasons) == [3, 4, 5, 6, 7]
    assert "onset 9 is after offset 4" in reasons[3]
    assert "missing" in reasons[4] and "7" in reasons[4]
    assert "img6.jpg" in reasons[5] and "decodable" in reasons[5]
    assert "img8.jpg" in reasons[6] and "empty" in reasons[6]
    assert "escapes" in reasons[7]
    assert all(i.file == "CASME2-coding-20140508.xlsx" for i in result.issues)
    assert str(result.issues[0]).startswith("CASME2-coding-20140508.xlsx, row 3:")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinked_frame_outside_root_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.jpg"
    frame(outside)
    root = smic(tmp_path / "S", [("s1", "positive", "c1", 3)])
    os.symlink(outside, root / "HS/s1/micro/positive/c1/image586003.bmp")
    result = READERS["smic"](root)
    assert result.clips == []
    assert "links outside" in result.issues[0].reason and result.issues[0].file == "HS/s1/micro/positive/c1"


def test_samm_missing_column_names_the_file(tmp_path: Path) -> None:
    from ingest_layouts import SAMM_HEADER, xlsx

    root = samm(tmp_path / "s", [("006", "006_1_2", 5, 6, 7, "", "Anger")])
    header = [c for c in SAMM_HEADER if c != "Apex Frame"]
    xlsx(root / "SAMM_Micro_FACS_Codes_v2.xlsx", [["notes"], [], header, [6, "006_1_2", 1, 5, 7]])
    with pytest.raises(GlimpseError) as error:
        READERS["samm"](root)
    assert "SAMM_Micro_FACS_Codes_v2.xlsx" in str(error.value) and "missing: Apex Frame" in str(error.value)


def test_samm_row_whose_clip_folder_is_missing_is_reported_and_the_rest_ingest(tmp_path: Path) -> None:
    import shutil

    root = samm(
        tmp_path / "s", [("006", "006_1_2", 5, 6, 7, "", "Anger"), ("007", "007_3_1", 5, 6, 7, "", "Fear")]
    )
    shutil.rmtree(root / "SAMM" / "007" / "007_3_1")
    result = READERS["samm"](root)
    assert [c.name for c in result.clips] == ["006_1_2"]
    assert len(result.issues) == 1
    assert result.issues[0].file == "SAMM_Micro_FACS_Codes_v2.xlsx"
    assert "clip folder 'SAMM/007/007_3_1' not found" in result.issues[0].reason


def test_ckplus_bad_emotion_file_keeps_the_sequence_unlabelled(tmp_path: Path) -> None:
    root = ckplus(tmp_path / "ck", [("S005", "001", 4, 3.0)])
    (root / "Emotion/S005/001/S005_001_00000004_emotion.txt").write_text("   9.0000000e+00\n")
    result = READERS["ckplus"](root)
    assert [c.label for c in result.clips] == [None]
    assert result.issues[0].file == "Emotion/S005/001/S005_001_00000004_emotion.txt"
    assert "not one of 0–7" in result.issues[0].reason
