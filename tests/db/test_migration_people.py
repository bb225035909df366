"""Migration 0005: existing annotations get their current version as the first history entry; the new
tables come and go with upgrade / downgrade and no existing row changes."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text

from db.session import MIGRATIONS_DIR, make_engine

REVISION = "0005_people_assignments_history"
SETUP = [
    "insert into datasets (id, name, format, purpose, root, fps, is_synthetic, description, meta, "
    "created_at, updated_at) values (1, 'c2', 'casme2', 'micro', '/x', 200.0, 0, '', '{}', "
    "'2026-11-01 00:00:00', "
    "'2026-11-01 00:00:00')",
    "insert into subjects (id, dataset_id, code) values (1, 1, 'sub01')",
    "insert into clips (id, dataset_id, subject_id, name, path, kind, n_frames, apex_estimated, "
    "action_units, emotion_raw, n_annotators, meta) "
    "values (7, 1, 1, 'EP02', 'a', 'micro', 3, 0, '12', 'happiness', 1, '{}')",
    "insert into annotations (id, clip_id, annotator, onset, apex, offset, action_units, emotion, label, "
    "notes, created_at, updated_at, version, updated_by) values (3, 7, 'ann', 10, 11, 12, '12', 'happiness', "
    "'positive', 'n', '2026-11-02 00:00:00', '2026-11-03 00:00:00', 4, 'judge')",
]


def test_upgrade_keeps_annotations_and_starts_their_history(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url)
    down = "0003_annotation_versions"
    command.upgrade(cfg, down)
    engine = make_engine(url)
    with engine.begin() as connection:
        for statement in SETUP:
            connection.execute(text(statement))
        before = [tuple(r) for r in connection.execute(text("select * from annotations"))]
    command.upgrade(cfg, REVISION)
    with engine.connect() as connection:
        assert [tuple(r) for r in connection.execute(text("select * from annotations"))] == before
        history = connection.execute(
            text(
                "select annotation_id, annotator, version, apex, saved_by, saved_at from annotation_versions"
            )
        ).all()
        assert [tuple(r) for r in history] == [(3, "ann", 4, 11, "judge", "2026-11-03 00:00:00")]
        assert connection.execute(text("select submitted_by from jobs")).all() == []
    tables = set(inspect(engine).get_table_names())
    assert {"people", "assignments", "assignment_items", "annotation_versions", "audit_events"} <= tables
    command.downgrade(cfg, down)
    with engine.connect() as connection:
        assert [tuple(r) for r in connection.execute(text("select * from annotations"))] == before
    assert "people" not in inspect(engine).get_table_names()
    assert "submitted_by" not in {c["name"] for c in inspect(engine).get_columns("jobs")}
