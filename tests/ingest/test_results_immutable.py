"""Issue 10, items 1–2: a later ingest never changes a finished run; clips gone from the source are kept,
marked missing, and return under the same id; deleting is explicit and refuses (or archives) while runs
reference the data; every frame is decoded; linked folders are refused; the synthetic flag is kept.

The run here is real: the tiny synthetic corpus through the real readers, then an LBP-TOP LOSO run
(seconds), so its predictions.csv and catalog rows are what `glimpse train` writes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from ingest_layouts import casme2, frame
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from db.queries import ClipFilter, clips_for_training, dataset_stats, list_clips
from db.schema import Clip, Dataset, Metric, Prediction, Run
from engine.cli import app
from engine.errors import GlimpseError
from engine.evaluate.export import read_predictions_csv
from engine.ingest import READERS
from engine.ingest.catalog import ingest_dataset, ingest_synthetic_corpus
from engine.ingest.removal import ARCHIVE_NOTE, RUN_ARCHIVED, delete_from_catalog
from engine.jobs.handlers.data import ingest as ingest_job
from engine.labels import LABELS_ME
from engine.paths import runs_dir
from engine.progress import NullReporter
from engine.synth.config import SynthConfig
from engine.synth.write import generate_corpus
from engine.train.ablation import run_variant
from engine.train.config import AblationConfig

ME = "synthetic-casme2"


@pytest.fixture(scope="module")
def pristine_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "synthetic"
    generate_corpus(out, SynthConfig.tiny())
    return out


@pytest.fixture()
def corpus(pristine_corpus: Path, tmp_path: Path) -> Path:
    """A private copy: tests move and break its files."""
    return Path(shutil.copytree(pristine_corpus, tmp_path / "synthetic"))


@pytest.fixture()
def finished_run(session: Session, db_url: str, corpus: Path) -> str:
    ingest_synthetic_corpus(session, corpus)
    outcome = run_variant(db_url, "lbptop", 0, AblationConfig.tiny())
    session.expire_all()
    return outcome.run_id


def _predictions(session: Session, run_id: str) -> dict[int, tuple[str, str]]:
    rows = session.execute(
        select(Prediction.clip_id, Prediction.truth, Prediction.predicted).where(Prediction.run_id == run_id)
    )
    return {clip_id: (truth, predicted) for clip_id, truth, predicted in rows}


def _csv_predictions(run_id: str) -> dict[int, tuple[str, str]]:
    rows = read_predictions_csv(runs_dir() / run_id / "predictions.csv")
    return {int(r["clip_id"]): (r["truth"], r["prediction"]) for r in rows}


def _metrics(session: Session, run_id: str) -> dict[tuple[str, str], float]:
    rows = session.execute(select(Metric.scope, Metric.name, Metric.value).where(Metric.run_id == run_id))
    return {(scope, name): value for scope, name, value in rows}


def _clip_folder(session: Session, corpus: Path, clip_id: int) -> Path:
    return corpus / "casme2" / session.get(Clip, clip_id).path


def test_reingest_with_a_missing_clip_folder_keeps_the_finished_run(
    session: Session, corpus: Path, finished_run: str, tmp_path: Path
) -> None:
    before = _predictions(session, finished_run)
    metrics = _metrics(session, finished_run)
    assert len(before) == 9 and _csv_predictions(finished_run) == before
    gone_id, corrupt_id = sorted(before)[:2]
    gone = _clip_folder(session, corpus, gone_id)
    moved = tmp_path / "away"
    shutil.move(gone, moved)
    # and one frame of another clip no longer decodes (a half-copied file)
    corrupt_frame = sorted(_clip_folder(session, corpus, corrupt_id).glob("img*.jpg"))[3]
    corrupt_frame.write_bytes(corrupt_frame.read_bytes()[:40])

    reports = {r.dataset_name: r for r in ingest_synthetic_corpus(session, corpus)}
    session.expire_all()
    report = reports[ME]
    assert (report.n_missing, report.n_restored) == (2, 0)
    assert any(corrupt_frame.name in i.reason and "decodable" in i.reason for i in report.issues)
    # the run still has every prediction, its metrics, and agrees with its predictions.csv
    assert _predictions(session, finished_run) == before == _csv_predictions(finished_run)
    assert _metrics(session, finished_run) == metrics
    assert session.get(Run, finished_run).status == "succeeded"
    # the clips are kept, marked missing, out of training; the catalog says so
    for clip_id in (gone_id, corrupt_id):
        clip = session.get(Clip, clip_id)
        assert clip.missing_since is not None and clip.n_frames > 0
    trainable = {c.id for c in clips_for_training(session, [ME], LABELS_ME)}
    assert len(trainable) == 7 and not trainable & {gone_id, corrupt_id}
    stats = {s["name"]: s for s in dataset_stats(session)}
    assert (stats[ME]["clips"], stats[ME]["missing"]) == (10, 2)
    missing_rows = list_clips(session, ClipFilter(dataset_names=[ME], missing=True)).rows
    assert sorted(r["id"] for r in missing_rows) == [gone_id, corrupt_id]
    listed = CliRunner().invoke(app, ["catalog", "ls", "--dataset", ME, "--missing"])
    assert listed.exit_code == 0 and listed.output.count("MISSING") == 2, listed.output
    assert "of 2" in listed.output

    # the files come back: the same ids, present again, no new clip rows
    shutil.move(moved, gone)
    shutil.copy(sorted(_clip_folder(session, corpus, gone_id).glob("img*.jpg"))[3], corrupt_frame)
    n_clips = session.scalar(select(func.count()).select_from(Clip))
    report = {r.dataset_name: r for r in ingest_synthetic_corpus(session, corpus)}[ME]
    session.expire_all()
    assert (report.n_new, report.n_missing, report.n_restored) == (0, 0, 2)
    assert session.scalar(select(func.count()).select_from(Clip)) == n_clips
    assert session.get(Clip, gone_id).missing_since is None
    assert session.get(Clip, corrupt_id).missing_since is None
    assert _predictions(session, finished_run) == before


def test_predictions_block_a_raw_clip_delete(session: Session, finished_run: str) -> None:
    clip_id = next(iter(_predictions(session, finished_run)))
    with pytest.raises(IntegrityError):
        session.execute(delete(Clip).where(Clip.id == clip_id))
    session.rollback()
    assert session.get(Clip, clip_id) is not None


def test_catalog_delete_refuses_naming_the_runs_then_archives_them(
    session: Session, finished_run: str
) -> None:
    runner = CliRunner()
    refused = runner.invoke(app, ["catalog", "delete", ME, "--yes"])
    assert refused.exit_code == 2 and finished_run in refused.output and "--archive-runs" in refused.output
    session.expire_all()
    assert session.scalar(select(Dataset).where(Dataset.name == ME)) is not None
    assert len(_predictions(session, finished_run)) == 9

    done = runner.invoke(app, ["catalog", "delete", ME, "--archive-runs", "--yes"])
    assert done.exit_code == 0, done.output
    assert f"archived run {finished_run}" in done.output and "12 clip(s)" in done.output
    session.expire_all()
    assert session.scalar(select(Dataset).where(Dataset.name == ME)) is None
    run = session.get(Run, finished_run)
    assert run.status == RUN_ARCHIVED and _metrics(session, run.id)  # metrics and row stay
    assert _predictions(session, finished_run) == {}  # the catalog holds none of them, not part
    note = json.loads((runs_dir() / finished_run / ARCHIVE_NOTE).read_text())
    assert note["previous_status"] == "succeeded" and note["predictions_removed_from_catalog"] == 9
    assert len(_csv_predictions(finished_run)) == 9  # the run folder is its record


def test_deleting_one_clip_needs_its_subject_when_names_repeat(session: Session, tmp_path: Path) -> None:
    root = casme2(
        tmp_path / "c2", [(1, "EP01", 2, 3, 4, "", "happiness"), (2, "EP01", 2, 3, 4, "", "surprise")]
    )
    ingest_dataset(session, root, name="c2")
    with pytest.raises(GlimpseError, match="is in 2 subjects"):
        delete_from_catalog(session, "c2", clip="EP01")
    done = delete_from_catalog(session, "c2", clip="EP01", subject="sub02")
    assert (done.n_clips, done.archived_runs) == (1, ())
    names = session.execute(select(Clip.name, Clip.subject_id)).all()
    assert len(names) == 1
    with pytest.raises(GlimpseError, match="no dataset named"):
        delete_from_catalog(session, "nope")


def test_a_corrupt_frame_inside_the_coded_range_is_reported_with_file_and_row(
    session: Session, tmp_path: Path
) -> None:
    rows = [(1, "EP01", 5, 8, 12, "12", "happiness"), (1, "EP02", 5, 8, 12, "1+2", "surprise")]
    root = casme2(tmp_path / "c2", rows)
    bad = root / "CASME2_RAW_selected/sub01/EP02/img10.jpg"  # not onset, apex or offset
    bad.write_bytes(bad.read_bytes()[:60])  # truncated mid-file
    report = ingest_dataset(session, root, name="c2", decode_workers=2)
    assert report.n_clips == 1 and report.frames_decoded == sum(len(range(3, 15)) for _ in rows)
    [issue] = report.issues
    assert (issue.file, issue.row) == ("CASME2-coding-20140508.xlsx", 3)
    assert "CASME2_RAW_selected/sub01/EP02/img10.jpg" in issue.reason
    assert "inside the coded range 5–12" in issue.reason and "decodable" in issue.reason
    assert session.scalars(select(Clip.name)).all() == ["EP01"]  # nothing of EP02 went in


@pytest.mark.parametrize("workers", [1, 2])
def test_decode_check_gives_the_same_answer_with_any_worker_count(tmp_path: Path, workers: int) -> None:
    from engine.ingest.catalog import read_dataset

    root = casme2(tmp_path / "c2", [(1, f"EP{k}", 3, 4, 5, "", "happiness") for k in range(6)])
    for k in (1, 4):
        (root / f"CASME2_RAW_selected/sub01/EP{k}/img4.jpg").write_bytes(b"\xff\xd8 not really")
    _, result, stats = read_dataset(root, "casme2", decode_workers=workers)
    assert [c.name for c in result.clips] == ["EP0", "EP2", "EP3", "EP5"]
    assert [i.row for i in result.issues] == [3, 6]
    assert (stats.workers, stats.n_clips, stats.n_bad_clips) == (workers, 6, 2)


def test_folder_reader_refuses_directories_linking_out_of_the_root(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    frame(outside / "clip" / "f1.png")
    frame(outside / "clip" / "f2.png")
    frame(outside / "stills" / "x.png")
    root = tmp_path / "faces"
    frame(root / "happy" / "a.png")
    (root / "happy" / "linked_clip").symlink_to(outside / "clip", target_is_directory=True)
    (root / "linked_top").symlink_to(outside / "stills", target_is_directory=True)
    result = READERS["folder"](root)
    assert [c.name for c in result.clips] == ["happy/a"]
    reasons = sorted(str(i) for i in result.issues)
    assert reasons == [
        "happy/linked_clip: folder 'happy/linked_clip' links outside the dataset",
        "linked_top: folder 'linked_top' links outside the dataset",
    ]


def test_smic_refuses_a_clip_folder_linking_out_of_the_root(tmp_path: Path) -> None:
    from ingest_layouts import smic

    outside = smic(tmp_path / "other", [("s9", "positive", "c9", 3)]) / "HS/s9/micro/positive/c9"
    root = smic(tmp_path / "S", [("s1", "positive", "c1", 3)])
    (root / "HS/s1/micro/positive/c2").symlink_to(outside, target_is_directory=True)
    result = READERS["smic"](root)
    assert [c.name for c in result.clips] == ["c1"]
    assert [i.file for i in result.issues] == ["HS/s1/micro/positive/c2"]
    assert "links outside" in result.issues[0].reason


def test_reingest_keeps_the_synthetic_flag_or_refuses(session: Session, home: Path, tmp_path: Path) -> None:
    root = casme2(tmp_path / "c2", [(1, "EP01", 2, 3, 4, "", "happiness")])
    ingest_dataset(session, root, name="gen", is_synthetic=True)
    ingest_dataset(session, root, name="gen")
    session.expire_all()
    assert session.scalar(select(Dataset.is_synthetic).where(Dataset.name == "gen")) is True
    runner = CliRunner()
    again = runner.invoke(app, ["ingest", str(root), "--name", "gen"])
    assert again.exit_code == 0, again.output
    flipped = runner.invoke(app, ["ingest", str(root), "--name", "gen", "--real"])
    assert flipped.exit_code == 2 and "is marked SYNTHETIC" in flipped.output
    session.expire_all()
    assert session.scalar(select(Dataset.is_synthetic).where(Dataset.name == "gen")) is True
    ingest_job(dict(root=str(root), name="gen"), NullReporter(), 0)  # the web page's ingest job
    session.expire_all()
    assert session.scalar(select(Dataset.is_synthetic).where(Dataset.name == "gen")) is True
    assert ingest_dataset(session, root, name="plain").n_clips == 1
    assert session.scalar(select(Dataset.is_synthetic).where(Dataset.name == "plain")) is False


def test_every_frame_of_a_video_clip_is_decoded(tmp_path: Path) -> None:
    import cv2
    import numpy as np

    from engine.ingest.catalog import read_dataset

    root = tmp_path / "vids"
    root.mkdir()
    writer = cv2.VideoWriter(str(root / "a.avi"), cv2.VideoWriter_fourcc(*"MJPG"), 25.0, (32, 32))
    for i in range(12):
        writer.write(np.random.default_rng(i).integers(0, 255, (32, 32, 3), dtype=np.uint8))
    writer.release()
    (root / "clips.csv").write_text(
        "clip,subject,onset,apex,offset,emotion\na.avi,p1,0,1,2,happiness\na.avi,p1,2,5,8,surprise\n"
    )
    _, result, stats = read_dataset(root, "video")
    assert (len(result.clips), result.issues, stats.n_frames) == (2, [], 3 + 7)
    data = (root / "a.avi").read_bytes()
    (root / "a.avi").write_bytes(data[: int(len(data) * 0.6)])  # the header still says 12 frames
    _, result, _ = read_dataset(root, "video")
    assert [c.name for c in result.clips] == ["a_0"]
    [issue] = result.issues
    assert (issue.file, issue.row) == (
        "clips.csv",
        3,
    ) and "of video 'a.avi' cannot be decoded" in issue.reason


def test_frame_check_catches_a_jpeg_cut_inside_its_image_data(tmp_path: Path) -> None:
    import cv2
    import numpy as np

    from engine.ingest.verify import frame_problem

    noise = np.random.default_rng(0).integers(0, 255, (480, 640, 3), dtype=np.uint8)
    path = tmp_path / "img1.jpg"
    assert cv2.imwrite(str(path), noise)
    assert frame_problem(path) is None
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * 0.8)])  # headers intact, the last scan lines missing
    assert cv2.imread(str(path)) is not None  # OpenCV hands back a grey-filled image …
    assert "truncated" in (frame_problem(path) or "")  # … the check does not
    path.write_bytes(b"")
    assert frame_problem(path) == "empty file (0 bytes)"


def test_spotting_leaves_out_recordings_missing_from_their_source(session: Session, tmp_path: Path) -> None:
    import cv2
    import numpy as np

    from db.queries import recordings
    from db.schema import utcnow

    writer = cv2.VideoWriter(str(tmp_path / "long.avi"), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (32, 32))
    for i in range(8):
        writer.write(np.full((32, 32, 3), 20 * i, dtype=np.uint8))
    writer.release()
    report = ingest_dataset(session, tmp_path / "long.avi", fmt="video", name="long")
    assert [c.name for c in recordings(session, ["long"])] == ["long"] and report.frames_decoded == 8
    session.execute(Clip.__table__.update().values(missing_since=utcnow()))  # what a re-ingest marks
    session.commit()
    assert recordings(session, ["long"]) == []
