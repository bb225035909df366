"""Annotation saves are versioned upserts: a save over a change made since it was opened is refused with
"changed by NAME at TIME — reload or overwrite", across real processes, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from db.schema import Annotation, Clip, Dataset, Subject
from db.session import session_scope
from engine.annotate import store
from engine.errors import AnnotationConflict, GlimpseError

ROOT = Path(__file__).resolve().parents[2]
MARKS = store.Marks(onset=10, apex=12, offset=15, action_units="12", emotion="happiness")

SAVER = """
import json, sys
from engine.annotate import store
from engine.errors import AnnotationConflict
url, clip_id, annotator, opened, apex = sys.argv[1], int(sys.argv[2]), *sys.argv[3:5], int(sys.argv[5])
opened_version = None if opened == "none" else int(opened)
store.opened(clip_id, annotator, url=url)  # import and connect before the gun
print("ready", flush=True)
sys.stdin.readline()  # the starting gun: every saver is released together
marks = store.Marks(onset=10, apex=apex, offset=15, emotion="happiness")
try:
    saved = store.save(clip_id, annotator, marks, opened_version, saved_by=f"p{apex}", url=url)
    print(json.dumps({"saved": saved.version, "apex": apex}))
except AnnotationConflict as error:
    print(json.dumps({"conflict": error.message, "who": error.who, "apex": apex}))
"""


def _clip(url: str) -> int:
    with session_scope(url) as session:
        dataset = Dataset(name="c2", format="casme2", root="/nowhere")
        subject = Subject(dataset=dataset, code="01")
        clip = Clip(dataset=dataset, subject=subject, name="EP01", path="EP01", first_frame=1, last_frame=30)
        session.add(clip)
        session.flush()
        return clip.id


def _race(url: str, clip_id: int, opened: str, n: int = 4) -> list[dict]:
    """``n`` saver processes, all having opened ``opened``, released at once; what each one got."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SAVER, url, str(clip_id), "alice", opened, str(11 + i)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(n)
    ]
    for p in procs:
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * n, [err for _, err in outputs]
    return [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]


def _row(url: str, clip_id: int) -> Annotation:
    with session_scope(url) as session:
        return session.scalars(select(Annotation).where(Annotation.clip_id == clip_id)).one()


def test_save_bumps_the_version_and_records_who(backend_url: str) -> None:
    clip_id = _clip(backend_url)
    assert store.opened(clip_id, "alice").version is None
    first = store.save(clip_id, "alice", MARKS, None, label="positive")
    assert (first.version, first.updated_by, first.label) == (1, "alice", "positive")
    second = store.save(clip_id, "alice", MARKS, first.version, saved_by="judge")
    assert (second.version, second.updated_by, second.id) == (2, "judge", first.id)
    assert store.opened(clip_id, "alice").version == 2


def test_saving_over_a_newer_version_says_who_and_when_then_overwrite_wins(backend_url: str) -> None:
    clip_id = _clip(backend_url)
    mine = store.opened(clip_id, "alice")  # alice opens the clip: nothing of hers yet
    theirs = store.save(clip_id, "alice", MARKS, None, saved_by="bob")  # bob saves first (another tab)
    with pytest.raises(AnnotationConflict) as caught:
        store.save(clip_id, "alice", store.Marks(10, 13, 15), mine.version)
    error = caught.value
    stamp = f"{theirs.updated_at:%Y-%m-%d %H:%M:%S} UTC"
    assert error.message == f"changed by bob at {stamp} — reload or overwrite"
    assert (error.who, error.when, error.version) == ("bob", theirs.updated_at, 1)
    assert isinstance(error, GlimpseError)
    assert _row(backend_url, clip_id).apex == 12  # bob's marks are intact
    # a stale version (not None) is refused too
    newer = store.save(clip_id, "alice", store.Marks(10, 14, 15), 1, saved_by="bob")
    with pytest.raises(AnnotationConflict, match="changed by bob"):
        store.save(clip_id, "alice", store.Marks(10, 13, 15), 1)
    saved = store.save(clip_id, "alice", store.Marks(10, 13, 15), 1, overwrite=True)
    assert (saved.version, saved.updated_by) == (newer.version + 1, "alice")
    assert _row(backend_url, clip_id).apex == 13


def test_provenance_is_kept_with_the_row(backend_url: str) -> None:
    clip_id = _clip(backend_url)
    how = {"kind": "consensus", "of": ["alice", "bob"]}
    store.save(clip_id, "consensus", MARKS, None, saved_by="judge", provenance=how)
    assert _row(backend_url, clip_id).provenance == how


@pytest.mark.parametrize("opened", ["none", "1"])
def test_concurrent_saves_from_processes_one_wins_the_rest_are_told(backend_url: str, opened: str) -> None:
    clip_id = _clip(backend_url)
    if opened == "1":
        store.save(clip_id, "alice", MARKS, None)
    results = _race(backend_url, clip_id, opened)
    winners = [r for r in results if "saved" in r]
    losers = [r for r in results if "conflict" in r]
    assert len(winners) == 1 and len(losers) == len(results) - 1
    winner = winners[0]
    row = _row(backend_url, clip_id)
    assert (row.version, row.apex, row.updated_by) == (winner["saved"], winner["apex"], f"p{winner['apex']}")
    for loser in losers:
        assert loser["who"] == f"p{winner['apex']}"
        assert loser["conflict"].startswith(f"changed by p{winner['apex']} at ")
        assert loser["conflict"].endswith(" — reload or overwrite")
    with session_scope(backend_url) as session:
        assert session.get(Clip, clip_id).n_annotators == 1
