"""Claiming is atomic across real processes on SQLite and PostgreSQL (SKIP LOCKED): never claimed twice."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
from jobs_support import ROOT
from sqlalchemy.orm import Session

from db.session import session_factory
from engine.jobs import queue

CLAIMER = """
import json, sys, time
from db.session import session_factory
from engine.jobs import queue
url, name, pause = sys.argv[1], sys.argv[2], float(sys.argv[3])
session = session_factory(url)()
print("ready", flush=True)
sys.stdin.readline()  # the starting gun: both claimers are released together
got = []
while (job := queue.claim_next(session, name)) is not None:
    got.append(job.id)
    time.sleep(pause)
print(json.dumps(got))
"""


def _race(db_url: str, pause_s: float) -> list[list[int]]:
    """Two claimer processes released at the same instant; each returns the ids it claimed."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIMER, db_url, f"claimer-{i}", str(pause_s)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    for p in procs:  # wait until both have imported and opened the catalog
        assert p.stdout.readline().strip() == "ready"
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    outputs = [p.communicate(timeout=60)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    return [json.loads(out.strip().splitlines()[-1]) for out in outputs]


@pytest.fixture()
def session(backend_url: str) -> Iterator[Session]:
    with session_factory(backend_url)() as s:
        yield s


def test_two_claimers_one_job_exactly_one_claim(session: Session, backend_url: str) -> None:
    job_id = queue.enqueue(session, "sleep", {})
    claims = _race(backend_url, pause_s=0.0)
    assert sorted(claims, key=len) == [[], [job_id]]
    job = queue.get_job(session, job_id)
    assert job.status == "running" and job.worker_id in ("claimer-0", "claimer-1")


def test_two_claimers_many_jobs_each_claimed_once(session: Session, backend_url: str) -> None:
    ids = [queue.enqueue(session, "sleep", {"n": i}) for i in range(40)]
    a, b = _race(backend_url, pause_s=0.025)
    assert not set(a) & set(b)
    assert sorted(a + b) == ids
    assert a and b, "both claimers should have won some jobs"
    owners = {j.id: j.worker_id for j in queue.list_jobs(session, limit=100)}
    assert {i for i, w in owners.items() if w == "claimer-0"} == set(a)
