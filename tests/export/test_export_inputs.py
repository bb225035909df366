"""`glimpse export-inputs`: each format is read back the way its own code reads it (os.listdir +
cv2.imread of the LOSO tree, pandas-style CSV columns), and must hold exactly Glimpse's LOSO folds."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from baselines.conftest import MOVES, build_baseline_catalog  # type: ignore[import-not-found]
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from engine.api.export import export_formats, export_inputs
from engine.cli import app
from engine.errors import GlimpseError
from engine.export.formats import CAUSALNET_EXTRA, HTNET_COLUMNS, HTNET_CSV
from engine.export.layout import MANIFEST
from engine.labels import LABELS_ME

SUBJECTS = [f"sub{s + 1:02d}" for s in range(3)]


@pytest.fixture()
def catalog(session: Session, home: Path) -> Session:
    build_baseline_catalog(session, home / "datasets" / "tiny", n_subjects=3)
    return session


def read_loso_tree(root: Path) -> dict[str, dict[str, list[tuple[int, str, np.ndarray]]]]:
    """As their main.py does: subject → u_train/u_test → [(label, file, 28×28×3 image)]."""
    tree: dict[str, dict[str, list[tuple[int, str, np.ndarray]]]] = {}
    for subject in os.listdir(root):
        tree[subject] = {}
        for part in ("u_train", "u_test"):
            items = []
            for label in os.listdir(root / subject / part):
                for name in os.listdir(root / subject / part / label):
                    image = cv2.imread(str(root / subject / part / label / name))
                    assert image is not None and image.shape == (28, 28, 3), name
                    items.append((int(label), name, image))
            tree[subject][part] = items
    return tree


def check_folds(tree: dict, name_of_clip: dict[str, tuple[str, int]]) -> None:
    """Every subject is one fold: its own clips (all 3 classes) in u_test, everyone else's in u_train."""
    assert sorted(tree) == SUBJECTS
    for subject, parts in tree.items():
        test = {(label, name) for label, name, _ in parts["u_test"]}
        train = {(label, name) for label, name, _ in parts["u_train"]}
        assert {name_of_clip[n][0] for _, n in test} == {subject}
        assert subject not in {name_of_clip[n][0] for _, n in train}  # never the test subject
        assert len(test) == len(MOVES) and len(train) == len(MOVES) * (len(SUBJECTS) - 1)
        for label, name in test | train:
            assert label == name_of_clip[name][1]


def test_ststnet_export_reads_back(catalog: Session, tmp_path: Path) -> None:
    out = tmp_path / "ststnet"
    report = export_inputs("synthetic-casme2", "ststnet", out)
    assert (report.clips, report.folds, report.synthetic) == (9, 3, True)
    with (out / "labels.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 9 and {r["label"] for r in rows} == set(LABELS_ME)
    assert all(LABELS_ME[int(r["label_index"])] == r["label"] for r in rows)
    name_of_clip = {r["image"]: (r["subject"], int(r["label_index"])) for r in rows}
    tree = read_loso_tree(out / "norm_u_v_os")
    check_folds(tree, name_of_clip)
    assert (out / "video442subName.txt").read_text().split() == SUBJECTS
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["data"] == "SYNTHETIC" and manifest["flow_method"] == "tvl1"
    assert manifest["face_backend"] == "ground_truth"
    # the images carry the motion: the u channel (R) of a "positive" (rightwards) clip is brighter at
    # the moving patch than its "negative" (leftwards) twin's
    _, _, pos = next(i for i in tree["sub01"]["u_test"] if i[0] == LABELS_ME.index("positive"))
    _, _, neg = next(i for i in tree["sub01"]["u_test"] if i[0] == LABELS_ME.index("negative"))
    patch = (slice(17, 24), slice(9, 19))  # the mouth patch at 28 px
    assert pos[patch][..., 2].mean() > neg[patch][..., 2].mean()  # cv2 reads BGR: index 2 is R = u


@pytest.mark.parametrize("fmt", ["htnet", "causalnet"])
def test_htnet_and_causalnet_exports_read_back(catalog: Session, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / fmt
    export_inputs("synthetic-casme2", fmt, out)
    with (out / HTNET_CSV).open() as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == HTNET_COLUMNS
        rows = list(reader)
    assert len(rows) == 9
    whole = out / "datasets" / "STSNet_whole_norm_u_v_os"
    faces = out / "datasets" / "combined_datasets_whole"
    name_of_clip = {}
    for row in rows:
        key = f"{row['sub']}_{row['filename_o']} .png"  # exactly how their whole_face_block_coordinates keys
        assert cv2.imread(str(whole / key)).shape == (28, 28, 3)
        assert cv2.imread(str(faces / row["imagename"]), cv2.IMREAD_GRAYSCALE) is not None
        name_of_clip[key] = (row["sub"], int(row["label"]))
        if fmt == "causalnet":  # their main_train.py reads n_img.split(' ')[0] + '_k .png'
            for k in range(1, len(CAUSALNET_EXTRA) + 1):
                extra = key.split(" ")[0] + f"_{k} .png"
                assert cv2.imread(str(whole / extra)).shape == (28, 28, 3)
    tree = read_loso_tree(out / "datasets" / "three_norm_u_v_os")
    check_folds(tree, name_of_clip)
    for parts in tree.values():  # every tree file is a key of the whole-face folder, as they index it
        assert all((whole / name).is_file() for _, name, _ in parts["u_train"] + parts["u_test"])


def test_export_is_all_or_nothing_and_refuses_a_used_folder(
    catalog: Session, home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "used"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(GlimpseError, match="not empty"):
        export_inputs("synthetic-casme2", "ststnet", out)
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    with pytest.raises(GlimpseError, match="unknown export format"):
        export_inputs("synthetic-casme2", "offapex", tmp_path / "x")
    # a clip whose apex frame has no face: the export fails and leaves nothing behind
    (home / "datasets" / "tiny" / "sub02" / "EP01" / "img6.png").write_bytes(b"broken")
    with pytest.raises(GlimpseError):
        export_inputs("synthetic-casme2", "htnet", tmp_path / "fails")
    assert not (tmp_path / "fails").exists() and not list(tmp_path.glob(".fails-*"))


def test_cli_lists_formats_from_the_registry(catalog: Session, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["export-inputs", "synthetic-casme2", "--format", "ststnet", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    assert "9 clips, 3 LOSO folds" in result.output and "SYNTHETIC" in result.output
    assert export_formats() == ["ststnet", "htnet", "causalnet"]
