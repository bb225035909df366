"""CausalNet's four inputs hold the streams its code says they hold (main_train_for_parameter_tuning.py
206-209; Models.py ``forward``: ``x = x + x2`` on the onset→apex stream, ``x1 = x1 + x3`` on the
apex→offset stream): `` .png`` onset→apex flow, ``_1`` apex→offset flow, ``_2`` onset→apex direction
map, ``_3`` apex→offset direction map — checked on a clip whose mouth moves right up to the apex and
down after it, so each stream's motion is known."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from baselines.conftest import build_baseline_catalog  # type: ignore[import-not-found]
from sqlalchemy.orm import Session

from engine.api.export import export_inputs
from engine.export.formats import HTNET_CSV
from engine.export.inputs import direction_map
from engine.export.layout import MANIFEST

MOUTH = (slice(17, 24), slice(9, 19))  # the moving patch at 28 px (rows 38-56, cols 20-44 at 64 px)


@pytest.fixture()
def right_then_down(session: Session, home: Path) -> str:
    """The tiny catalog, its sub01 "positive" clip (mouth texture moving right until the apex, frame 6)
    rewritten after the apex so the texture moves down 1 px a frame up to the offset (frame 9)."""
    root = home / "datasets" / "tiny"
    build_baseline_catalog(session, root, n_subjects=3)
    folder = root / "sub01" / "EP00"
    apex = cv2.imread(str(folder / "img6.png"), cv2.IMREAD_GRAYSCALE)
    for k, name in enumerate(("img7.png", "img8.png", "img9.png"), start=1):
        frame = apex.copy()
        frame[38 + k : 56, 20:44] = apex[38 : 56 - k, 20:44]
        cv2.imwrite(str(folder / name), frame)
    return "sub01_EP00"


def hue_degrees(bgr: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)[..., 0].astype(np.float64) * 2.0


def mean_direction(degrees: np.ndarray) -> float:
    rad = np.radians(degrees)
    return float(np.degrees(np.arctan2(np.sin(rad).mean(), np.cos(rad).mean())) % 360.0)


def contrast(channel: np.ndarray) -> float:
    """How much the mouth patch stands out of the rest of a 0..255 channel."""
    inside = np.zeros(channel.shape, bool)
    inside[MOUTH] = True
    return float(channel[inside].mean() - channel[~inside].mean()) / 255.0


def test_direction_map_is_opencv_hue_of_the_flow_angle() -> None:
    flow = np.zeros((3, 2, 2), np.float32)
    flow[0] = [[1.0, 0.0], [-1.0, 0.0]]  # u
    flow[1] = [[0.0, 1.0], [0.0, -1.0]]  # v: image rows grow downwards
    hsv = cv2.cvtColor(direction_map(flow), cv2.COLOR_RGB2HSV)
    assert hsv[..., 0].tolist() == [[0, 45], [90, 135]]  # 0°, 90°, 180°, 270° halved
    assert (hsv[..., 1] == 255).all() and (hsv[..., 2] == 255).all()


def test_causalnet_inputs_correlate_with_the_right_streams(
    right_then_down: str, session: Session, tmp_path: Path
) -> None:
    out = tmp_path / "causalnet"
    export_inputs("synthetic-casme2", "causalnet", out)
    whole = out / "datasets" / "STSNet_whole_norm_u_v_os"
    read = {k: cv2.imread(str(whole / f"{right_then_down}{k} .png")) for k in ("", "_1", "_2", "_3")}
    # cv2 reads BGR: the flow images' R (index 2) is u, G (index 1) is v
    assert contrast(read[""][..., 2]) > 0.3 > abs(contrast(read["_1"][..., 2]))  # rightwards, then not
    assert contrast(read["_1"][..., 1]) > 0.3  # apex→offset: downwards (v > 0) at the mouth
    onset_apex = mean_direction(hue_degrees(read["_2"])[MOUTH])
    apex_offset = mean_direction(hue_degrees(read["_3"])[MOUTH])
    assert min(onset_apex, 360 - onset_apex) < 30  # rightwards: 0°
    assert abs(apex_offset - 90) < 30  # downwards: 90°
    for k in ("_2", "_3"):  # quantised as CausalNet's shipped maps: full saturation and value
        hsv = cv2.cvtColor(read[k], cv2.COLOR_BGR2HSV)
        assert (hsv[..., 1] == 255).all() and (hsv[..., 2] == 255).all()
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["glimpse_version"] and manifest["dataset"] == "synthetic-casme2"
    assert manifest["flow_method"] == "tvl1" and len(manifest["folds"]) == 3
    assert {k: v["image"] for k, v in manifest["images"].items()} == {
        " .png": "onset_apex",
        "_1 .png": "apex_offset",
        "_2 .png": "onset_apex_direction",
        "_3 .png": "apex_offset_direction",
    }
    with (out / HTNET_CSV).open() as handle:
        assert len(list(csv.DictReader(handle))) == 9
