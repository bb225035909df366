"""Migration 0004_recordings: a catalog built at 0001 with data upgrades with every row intact."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from db.queries import add_interval, intervals_for, recording_stats, recordings
from db.schema import RECORDING, Clip, Dataset, Frame, Subject
from db.session import MIGRATIONS_DIR, make_engine

ROWS = {
    "datasets": "insert into datasets (id, name, format, purpose, root, fps, is_synthetic, description, "
    "meta, "
    "created_at, updated_at) values (1, 'c2', 'casme2', 'micro', '/x', 200.0, 0, '', '{}', "
    "'2026-11-01 00:00:00', '2026-11-01 00:00:00')",
    "subjects": "insert into subjects (id, dataset_id, code) values (1, 1, 'sub01')",
    "clips": "insert into clips (id, dataset_id, subject_id, name, path, kind, fps, n_frames, first_frame, "
    "last_frame, onset, apex, offset, apex_estimated, action_units, emotion_raw, label, n_annotators, "
    "agreement, meta) values (7, 1, 1, 'EP02_01f', 'a/b', 'macro', 200.0, 3, 10, 12, 10, 11, 12, 0, '12', "
    "'happiness', 'positive', 2, 0.5, '{\"k\": 1}')",
    "frames": 'insert into frames (id, clip_id, "index", number, path) '
    "values (1, 7, 0, 10, 'a/b/img10.jpg')",
    "annotations": "insert into annotations (id, clip_id, annotator, onset, apex, offset, action_units, "
    "emotion, label, notes, created_at, updated_at) values (3, 7, 'ann', 10, 11, 12, '12', 'happiness', "
    "'positive', 'n', '2026-11-02 00:00:00', '2026-11-02 00:00:00')",
}


def _config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def _dump(connection, tables) -> dict[str, list[tuple]]:  # noqa: ANN001
    return {t: [tuple(r) for r in connection.execute(text(f"select * from {t} order by id"))] for t in tables}


def test_upgrade_from_0001_keeps_every_row_and_adds_intervals(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    cfg = _config(url)
    command.upgrade(cfg, "0001_initial")
    engine = make_engine(url)
    with engine.begin() as connection:
        for statement in ROWS.values():
            connection.execute(text(statement))
    # the revision 0004 sits on (0001, or whatever the chain puts before it once branches are relinked)
    down = ScriptDirectory.from_config(cfg).get_revision("0004_recordings").down_revision
    command.upgrade(cfg, str(down))
    with engine.connect() as connection:
        before = _dump(connection, ROWS)
    assert "intervals" not in inspect(engine).get_table_names()

    command.upgrade(cfg, "0004_recordings")
    with engine.connect() as connection:
        assert _dump(connection, ROWS) == before  # nothing lost, nothing rewritten (kind stays 'macro')
    assert "intervals" in inspect(engine).get_table_names()
    assert "ix_clips_dataset_kind" in {i["name"] for i in inspect(engine).get_indexes("clips")}

    with Session(engine) as session:
        assert session.get(Clip, 7).kind == "macro" and recordings(session) == []
        subject = session.get(Subject, 1)
        video = Clip(
            dataset_id=1,
            subject_id=subject.id,
            name="v",
            path="v",
            kind=RECORDING,
            first_frame=1,
            last_frame=50,
        )
        session.add(video)
        session.flush()
        session.add(Frame(clip_id=video.id, index=0, number=1, path="v/1.jpg"))
        add_interval(session, video.id, "ann", 5, 9, "micro", apex=7, provenance={"method": "m", "run": "r"})
        session.commit()
        assert [c.name for c in recordings(session, ["c2"])] == ["v"]
        assert [
            (i.onset, i.apex, i.offset, i.provenance["run"]) for i in intervals_for(session, video.id)
        ] == [(5, 7, 9, "r")]
        assert recording_stats(session) == {1: {"videos": 1, "intervals": 0, "intervals_by_type": {}}}
        assert session.get(Dataset, 1).name == "c2"

    command.downgrade(cfg, "0001_initial")
    with engine.connect() as connection:
        assert _dump(connection, ROWS)["annotations"] == before["annotations"]
    assert "intervals" not in inspect(engine).get_table_names()
