"""The tiny corpus is written in the real CASME II / CK+ layouts, with the ground truth it claims."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from openpyxl import load_workbook

from engine.errors import GlimpseError
from engine.synth.action_units import apply_aus, au_points, parse_au_code
from engine.synth.config import SynthConfig
from engine.synth.identity import face_frame, neutral_landmarks
from engine.synth.plan import MEClip, me_identities
from engine.synth.write import CASME2_HEADER, CorpusManifest, generate_corpus, load_manifest

THREE_CLASS = {
    "happiness": "positive",
    "surprise": "surprise",
    "disgust": "negative",
    "repression": "negative",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> CorpusManifest:
    return generate_corpus(tmp_path_factory.mktemp("synth") / "corpus", SynthConfig.tiny())


def test_tiny_corpus_counts_and_folders(corpus: CorpusManifest) -> None:
    cfg = SynthConfig.tiny()
    assert corpus.n_me_clips == 12 and len(corpus.me_clips) == 12
    assert corpus.n_me_subjects == 4
    assert corpus.n_macro_sequences == 6
    assert corpus.n_labelled_sequences == 4
    assert corpus.coding_file.is_file()
    subjects = sorted(p.name for p in (corpus.casme2_root / "CASME2_RAW_selected").iterdir())
    assert subjects == ["sub01", "sub02", "sub03", "sub04"]
    faces = sorted((corpus.faces_root / "unlabelled").glob("face_*.png"))
    assert len(faces) == cfg.n_face_images == 20
    assert faces[0].name == "face_00001.png"
    img = cv2.imread(str(faces[0]))
    assert img.shape == (96, 96, 3)
    manifest = load_manifest(corpus.root)
    assert manifest["counts"]["me_clips"] == 12
    assert [c["filename"] for c in manifest["me_clips"]] == [c.filename for c in corpus.me_clips]
    assert not any(p.name.endswith(".partial") for p in corpus.root.parent.iterdir())


def test_every_three_class_label_has_two_clips_over_two_subjects(corpus: CorpusManifest) -> None:
    by_class: dict[str, set[int]] = {}
    counts: dict[str, int] = {}
    for clip in corpus.me_clips:
        label = THREE_CLASS.get(clip.emotion)
        if label:
            by_class.setdefault(label, set()).add(clip.subject)
            counts[label] = counts.get(label, 0) + 1
    assert set(by_class) == {"positive", "negative", "surprise"}
    assert all(n >= 2 for n in counts.values())
    assert all(len(s) >= 2 for s in by_class.values())


def test_coding_xlsx_has_official_header_and_generator_values(corpus: CorpusManifest) -> None:
    wb = load_workbook(corpus.coding_file, read_only=True)
    assert wb.sheetnames == ["Sheet1"]
    rows = list(wb["Sheet1"].iter_rows(values_only=True))
    assert rows[0] == CASME2_HEADER
    assert rows[0] == (
        "Subject",
        "Filename",
        None,
        "OnsetFrame",
        "ApexFrame",
        "OffsetFrame",
        None,
        "Action Units",
        "Estimated Emotion",
    )
    assert len(rows) == 1 + 12
    for row, clip in zip(rows[1:], corpus.me_clips, strict=True):
        subject, filename, _, onset, apex, offset, _, aus, emotion = row
        assert isinstance(subject, int) and subject == clip.subject
        assert (filename, onset, apex, offset, aus, emotion) == (
            clip.filename,
            clip.onset,
            clip.apex,
            clip.offset,
            clip.action_units,
            clip.emotion,
        )
        assert onset < apex < offset
        assert emotion in {"happiness", "surprise", "disgust", "repression", "others", "fear", "sadness"}
        parse_au_code(aus)  # valid CASME II-style AU string


def test_frames_exist_for_every_coded_frame_number(corpus: CorpusManifest) -> None:
    for clip in corpus.me_clips:
        folder = corpus.clip_dir(clip)
        names = {p.name for p in folder.glob("img*.jpg")}
        expected = {f"img{n}.jpg" for n in range(clip.first_frame, clip.last_frame + 1)}
        assert names == expected
        assert clip.first_frame < clip.onset and clip.offset < clip.last_frame  # ME inside neutral frames
        assert 20 <= len(names) <= 30
        landmarks = json.loads((folder / "glimpse_landmarks.json").read_text())
        assert landmarks["format"] == "ibug68"
        assert set(landmarks["frames"]) == expected
        entry = landmarks["frames"][f"img{clip.apex}.jpg"]
        assert len(entry["landmarks"]) == 68 and len(entry["box"]) == 4
        lm = np.array(entry["landmarks"])
        x, y, w, h = entry["box"]
        assert x <= lm[:, 0].min() and lm[:, 0].max() <= x + w + 0.01 and y <= lm[:, 1].min()


def test_ckplus_layout_and_emotion_codes(corpus: CorpusManifest) -> None:
    codes = {"anger": 1, "contempt": 2, "disgust": 3, "fear": 4, "happiness": 5, "sadness": 6, "surprise": 7}
    labelled = 0
    for seq in corpus.macro_sequences:
        folder = corpus.sequence_dir(seq)
        frames = sorted(folder.glob("*.png"))
        assert [p.name for p in frames] == [
            f"{seq.subject}_{seq.sequence}_{k:08d}.png" for k in range(1, seq.n_frames + 1)
        ]
        assert cv2.imread(str(frames[0]), cv2.IMREAD_UNCHANGED).ndim == 2  # grey like CK+
        emotion_dir = corpus.ckplus_root / "Emotion" / seq.subject / seq.sequence
        files = list(emotion_dir.glob("*_emotion.txt")) if emotion_dir.is_dir() else []
        if seq.code is None:
            assert files == []
            continue
        labelled += 1
        assert [f.name for f in files] == [f"{seq.subject}_{seq.sequence}_{seq.n_frames:08d}_emotion.txt"]
        text = files[0].read_text()
        assert text.startswith("   ") and "e+00" in text
        assert int(float(text)) == seq.code == codes[seq.emotion]
    assert labelled == corpus.n_labelled_sequences == 4
    me_subjects = {f"sub{c.subject:02d}" for c in corpus.me_clips}
    assert not me_subjects & {s.subject for s in corpus.macro_sequences}


def _region_vs_rest(folder: Path, clip: MEClip, size: int) -> tuple[float, float]:
    """Mean |apex - onset| inside the box of the coded AUs' landmarks and in the rest of the face."""
    _, _, u = face_frame(size)
    frames = json.loads((folder / "glimpse_landmarks.json").read_text())["frames"]
    onset = cv2.imread(str(folder / f"img{clip.onset}.jpg"), cv2.IMREAD_GRAYSCALE).astype(float)
    apex = cv2.imread(str(folder / f"img{clip.apex}.jpg"), cv2.IMREAD_GRAYSCALE).astype(float)
    diff = np.abs(apex - onset)
    entry = frames[f"img{clip.apex}.jpg"]
    lm = np.array(entry["landmarks"])
    points = np.unique(np.concatenate([au_points(k) for k in parse_au_code(clip.action_units)]))
    x0, y0 = np.floor(lm[points].min(axis=0) - 0.12 * u).astype(int)
    x1, y1 = np.ceil(lm[points].max(axis=0) + 0.12 * u).astype(int)
    region = np.zeros(diff.shape, bool)
    region[max(0, y0) : y1, max(0, x0) : x1] = True
    bx, by, bw, bh = (int(v) for v in entry["box"])
    face = np.zeros(diff.shape, bool)
    face[by : by + bh, bx : bx + bw] = True
    return float(diff[region].mean()), float(diff[face & ~region].mean())


def test_onset_to_apex_change_is_in_the_coded_au_region(tmp_path: Path) -> None:
    # distractors off: the only change between onset and apex is the expression itself
    cfg = dataclasses.replace(
        SynthConfig.tiny(),
        noise_sigma=0.0,
        flicker=0.0,
        drift_px=0.0,
        drift_deg=0.0,
        blink_prob=0.0,
        n_face_images=1,
        n_macro_sequences=1,
    )
    corpus = generate_corpus(tmp_path / "clean", cfg)
    cx, _, u = face_frame(cfg.frame_size)
    identities = me_identities(cfg)
    for clip in corpus.me_clips:
        inside, outside = _region_vs_rest(corpus.clip_dir(clip), clip, cfg.frame_size)
        assert inside > 3 * outside + 0.1, (clip.emotion, clip.action_units, inside, outside)
        # ME apex landmark displacement is the configured fraction of the same face's macro apex
        frames = json.loads((corpus.clip_dir(clip) / "glimpse_landmarks.json").read_text())["frames"]
        me = np.array(frames[f"img{clip.apex}.jpg"]["landmarks"]) - np.array(
            frames[f"img{clip.onset}.jpg"]["landmarks"]
        )
        base = neutral_landmarks(identities[clip.subject - 1], cfg.frame_size)
        macro = apply_aus(base, clip.aus, u, cx) - base
        ratio = np.linalg.norm(me) / np.linalg.norm(macro)
        assert ratio == pytest.approx(clip.apex_intensity, rel=0.03)
        assert cfg.me_intensity * 0.84 <= ratio <= cfg.me_intensity * 1.16


def test_with_distractors_happiness_and_surprise_still_show_in_their_region(corpus: CorpusManifest) -> None:
    checked = 0
    for clip in corpus.me_clips:
        if clip.emotion not in ("happiness", "surprise") or clip.blinks:
            continue
        inside, outside = _region_vs_rest(corpus.clip_dir(clip), clip, 96)
        assert inside > 1.3 * outside, (clip.emotion, clip.action_units, inside, outside)
        checked += 1
    assert checked >= 2


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.suffix != ".xlsx"  # xlsx zips carry a save timestamp
    }


def test_same_seed_same_bytes_different_seed_different(tmp_path: Path) -> None:
    small = dataclasses.replace(SynthConfig.tiny(), n_face_images=3, n_macro_sequences=2)
    a = _digest(generate_corpus(tmp_path / "a", small).root)
    b = _digest(generate_corpus(tmp_path / "b", small).root)
    c = _digest(generate_corpus(tmp_path / "c", dataclasses.replace(small, seed=1)).root)
    assert a == b
    assert len(a) > 250
    same = sum(a.get(k) == v for k, v in c.items())
    assert same < len(c) // 10  # almost every file differs under another seed


def test_refuses_a_non_corpus_folder_and_bad_configs(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "thesis.txt").write_text("keep me")
    with pytest.raises(GlimpseError, match="not empty"):
        generate_corpus(target, SynthConfig.tiny())
    assert (target / "thesis.txt").read_text() == "keep me"
    with pytest.raises(GlimpseError, match="me_intensity"):
        generate_corpus(tmp_path / "x", dataclasses.replace(SynthConfig.tiny(), me_intensity=2.0))
    assert not (tmp_path / "x").exists()
