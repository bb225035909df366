"""Synthetic long videos: known intervals in neutral stretches, distractors, the releases' code files,
and the whole corpus flowing through the casme_sq / samm_lv readers into recordings + intervals."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.queries import dataset_intervals, recording_stats, recordings
from db.schema import FLAG_APEX_UNKNOWN, RECORDING, Dataset, Interval
from engine.errors import GlimpseError
from engine.ingest.catalog import ingest_synthetic_corpus
from engine.synth.config import SynthConfig
from engine.synth.landmarks_file import LANDMARKS_FILE
from engine.synth.long import CASME_SQ, SAMM_LV, LongInterval, LongVideo, plan_long_videos, validate_long
from engine.synth.long_write import CASME_SQ_CODE_FILE, SAMM_LV_CODE_FILE, frame_name, video_folder
from engine.synth.write import CorpusManifest, generate_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> CorpusManifest:
    return generate_corpus(tmp_path_factory.mktemp("long") / "corpus", SynthConfig.tiny_long())


def _landmarks(corpus: CorpusManifest, video: LongVideo) -> np.ndarray:
    folder = video_folder(corpus.long_root(video.layout), video)
    frames = json.loads((folder / LANDMARKS_FILE).read_text())["frames"]
    return np.array([frames[frame_name(video, n)]["landmarks"] for n in range(1, video.n_frames + 1)])


def test_tiny_long_videos_per_layout_with_frames_on_disk(corpus: CorpusManifest) -> None:
    videos = {layout: [v for v in corpus.long_videos if v.layout == layout] for layout in (CASME_SQ, SAMM_LV)}
    assert [len(v) for v in videos.values()] == [3, 3]
    assert {v.fps for v in videos[CASME_SQ]} == {30.0} and {v.fps for v in videos[SAMM_LV]} == {200.0}
    for video in corpus.long_videos:
        folder = video_folder(corpus.long_root(video.layout), video)
        images = sorted(p.name for p in folder.glob("*.jpg"))
        assert len(images) == video.n_frames
        first = "img1.jpg" if video.layout == CASME_SQ else f"{video.name}_00001.jpg"
        assert first in images
        assert [iv.type for iv in video.intervals].count("micro") == 2
        assert [iv.type for iv in video.intervals].count("macro") == 1
    teeth = videos[CASME_SQ][0]
    assert video_folder(corpus.long_root(CASME_SQ), teeth).relative_to(corpus.root).as_posix() == (
        f"casme_sq/rawpic/s15/15_{teeth.stimulus[1]}{teeth.stimulus[2]}"
    )
    assert (corpus.root / "manifest.json").is_file()
    manifest = json.loads((corpus.root / "manifest.json").read_text())
    assert manifest["counts"]["long_videos"] == 6 and len(manifest["long_videos"]) == 6


def test_intervals_sit_in_neutral_stretches_with_distractors_outside(corpus: CorpusManifest) -> None:
    for video in corpus.long_videos:
        spans = sorted([(iv.onset, iv.offset) for iv in video.intervals] + list(video.talking))
        assert all(a[1] < b[0] for a, b in zip(spans, spans[1:], strict=False))  # no two events overlap
        assert spans[0][0] > 1 and spans[-1][1] < video.n_frames  # neutral frames at both ends
        for iv in video.intervals:
            assert iv.onset <= iv.apex <= iv.offset
            seconds = (iv.offset - iv.onset + 1) / video.fps
            assert seconds <= 0.5 if iv.type == "micro" else seconds > 0.5
            assert all(b < iv.onset or a > iv.offset for a, b in video.blinks)
        assert video.blinks and video.head_turns
    assert any(v.talking for v in corpus.long_videos if v.layout == CASME_SQ)


def test_landmarks_move_for_expressions_and_distractors_not_in_neutral_frames(corpus: CorpusManifest) -> None:
    video = next(v for v in corpus.long_videos if v.layout == CASME_SQ and v.talking)
    lm = _landmarks(corpus, video)
    assert lm.shape == (video.n_frames, 68, 2)
    # mouth opening (inner lips 62↔66) swings while talking
    a, b = video.talking[0]
    opening = lm[:, 66, 1] - lm[:, 62, 1]
    assert (
        np.ptp(opening[a - 1 : b]) > 3 * np.ptp(opening[: min(iv.onset for iv in video.intervals) - 1]) + 0.05
    )
    # an eye closes during a blink (upper lid 37 comes down to the lower lid 41)
    start, end = video.blinks[0]
    lids = lm[:, 41, 1] - lm[:, 37, 1]
    assert lids[start - 1 : end].min() < 0.5 * np.median(lids)

    # a macro-expression moves the face more than an ME does (both relative to the frame before onset)
    def motion(iv: LongInterval) -> float:
        rest = lm[iv.onset - 2]
        return float(np.abs(lm[iv.apex - 1] - rest).max())

    micro = [motion(iv) for iv in video.intervals if iv.type == "micro"]
    macro = [motion(iv) for iv in video.intervals if iv.type == "macro"]
    assert max(micro) < min(macro)


def test_code_files_are_in_the_releases_formats(corpus: CorpusManifest) -> None:
    book = load_workbook(corpus.long_root(CASME_SQ) / CASME_SQ_CODE_FILE)
    assert book.sheetnames == ["CASFEcode_final", "naming rule1", "naming rule2"]
    rows = list(book["CASFEcode_final"].iter_rows(values_only=True))
    assert isinstance(rows[0][0], int) and rows[0][7] in ("micro-expression", "macro-expression")  # no header
    assert sorted(r[1] for r in book["naming rule1"].iter_rows(values_only=True)) == ["s15", "s16", "s17"]
    assert all(isinstance(r[0], int) for r in book["naming rule2"].iter_rows(values_only=True))  # 0101 → 101
    coded = {
        (v.subject, iv.onset): iv for v in corpus.long_videos if v.layout == CASME_SQ for iv in v.intervals
    }
    for row in rows:
        iv = coded[(row[0], row[2])]
        assert (row[3], row[4]) == ((iv.apex if iv.apex_coded else 0), iv.offset)
    samm = list(
        load_workbook(corpus.long_root(SAMM_LV) / SAMM_LV_CODE_FILE).active.iter_rows(values_only=True)
    )
    header = next(i for i, r in enumerate(samm) if r[0] == "Subject")
    assert header == 9 and samm[header][7] == "Type"
    assert {r[7] for r in samm[header + 1 :]} == {"Micro - 1/2", "Macro"}


def test_same_seed_same_plan_and_bad_settings_refused() -> None:
    cfg = SynthConfig.tiny_long(seed=4)
    assert plan_long_videos(cfg, SAMM_LV) == plan_long_videos(cfg, SAMM_LV)
    assert plan_long_videos(cfg, SAMM_LV) != plan_long_videos(SynthConfig.tiny_long(seed=5), SAMM_LV)
    assert plan_long_videos(SynthConfig.tiny(), CASME_SQ) == []
    validate_long(SynthConfig())  # the default corpus's long videos fit their expressions
    with pytest.raises(GlimpseError, match="casme_sq videos need at least"):
        validate_long(dataclasses.replace(cfg, long_frames_30fps=(20, 30)))
    with pytest.raises(GlimpseError, match="longer than any ME"):
        validate_long(dataclasses.replace(cfg, long_macro_s=(0.1, 0.3)))


def test_long_videos_flow_through_the_readers_into_recordings(
    session: Session, corpus: CorpusManifest
) -> None:
    reports = {r.dataset_name: r for r in ingest_synthetic_corpus(session, corpus.root)}
    assert {"synthetic-casme_sq", "synthetic-samm_lv"} <= set(reports)
    for name, layout in (("synthetic-casme_sq", CASME_SQ), ("synthetic-samm_lv", SAMM_LV)):
        report = reports[name]
        assert report.issues == [] and report.n_recordings == 3 and report.n_intervals == 9
        dataset = session.scalar(select(Dataset).where(Dataset.name == name))
        assert dataset.is_synthetic and dataset.purpose == "spotting" and dataset.format == layout
        videos = {v.name: v for v in corpus.long_videos if v.layout == layout}
        stored = {c.name: c for c in recordings(session, [name])}
        assert sorted(stored) == sorted(videos)
        for video_name, clip in stored.items():
            assert clip.kind == RECORDING and clip.n_frames == videos[video_name].n_frames
            assert (clip.first_frame, clip.last_frame) == (1, videos[video_name].n_frames)
        pairs = dataset_intervals(session, name)
        want = sorted(
            (v.name, iv.onset, iv.apex if (iv.apex_coded or layout == SAMM_LV) else None, iv.offset, iv.type)
            for v in videos.values()
            for iv in v.intervals
        )
        got = sorted((c.name, i.onset, i.apex, i.offset, i.type) for c, i in pairs)
        assert got == want
        for _clip, interval in pairs:
            assert (interval.apex is None) == (FLAG_APEX_UNKNOWN in interval.flags)
        stats = recording_stats(session)[dataset.id]
        assert (
            stats["videos"] == 3
            and stats["intervals"] == 9
            and stats["intervals_by_type"] == {"macro": 3, "micro": 6}
        )
    ids = sorted(session.scalars(select(Interval.id)))
    again = {r.dataset_name: r for r in ingest_synthetic_corpus(session, corpus.root)}
    assert again["synthetic-samm_lv"].n_new == 0 and sorted(session.scalars(select(Interval.id))) == ids
