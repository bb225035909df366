"""Issue 16 item 3: a real PostgreSQL restarted (pg_ctl stop -m fast, a few seconds down, start) while a
worker runs a job: the worker reconnects and lives on, the job ends with at most one clear sentence, and
the next job runs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from jobs.jobs_support import start_worker, stop, wait_for, wait_status  # type: ignore[import-not-found]

from db.schema import JOB_FINAL_STATES
from db.session import session_factory
from engine.jobs import queue, service

OUTAGE_S = 3.0  # how long the database stays down: "a restart of a few seconds"


def test_a_busy_worker_survives_a_postgresql_restart(
    own_pg_cluster,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    url = own_pg_cluster.new_database()
    monkeypatch.setenv("GLIMPSE_DB_URL", url)
    session = session_factory(url)()
    worker = start_worker()
    try:
        first = service.submit(session, "sleep", {"seconds": 8})
        wait_for(lambda: queue.get_job(session, first).progress > 0.05, 60, "the job to be under way")
        session.close()
        own_pg_cluster.stop("fast")  # every session ends with AdminShutdown, then the port closes
        time.sleep(OUTAGE_S)  # the outage itself (fault injection, not a wait for a result)
        own_pg_cluster.start()
        job = wait_status(session, first, tuple(JOB_FINAL_STATES), 90)
        # the sleep job holds no transaction across the outage: its progress waits, then it succeeds
        assert (job.status, job.error) == ("succeeded", None)
        assert worker.poll() is None, "the worker died with the database restart"
        second = service.submit(session, "sleep", {"seconds": 0.2})
        assert wait_status(session, second, ("succeeded",), 60).status == "succeeded"
    finally:
        stop(worker)
        output = worker.stdout.read().decode() if worker.stdout else ""
        print(output)  # shown when the test fails
        session.close()
    assert output.count("Traceback") == 0, output[-3000:]
    assert output.count("cannot be reached") == 1 and output.count("answers again") == 1, output[-3000:]
