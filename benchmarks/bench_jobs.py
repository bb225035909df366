"""Job system overheads: claim throughput (1 and 2 processes), enqueue → succeeded latency of an empty job
through a real worker, and how many catalog writes the throttled JobReporter makes.

    .venv/bin/python benchmarks/bench_jobs.py [--claims 400] [--jobs 8]

Uses a throw-away GLIMPSE_HOME under /tmp; prints one line per figure.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CLAIMER = """
import sys, time
from db.session import session_factory
from engine.jobs import queue
session = session_factory(sys.argv[1])()
print("ready", flush=True)
sys.stdin.readline()
n = 0
while queue.claim_next(session, sys.argv[2]) is not None:
    n += 1
print(n, flush=True)
"""


def _claim_race(db_url: str, processes: int) -> tuple[float, list[int]]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIMER, db_url, f"bench-{i}"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(processes)
    ]
    for p in procs:
        assert p.stdout.readline().strip() == "ready"
    start = time.perf_counter()
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    counts = [int(p.communicate()[0].strip()) for p in procs]
    return time.perf_counter() - start, counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=400)
    parser.add_argument("--jobs", type=int, default=8)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="glimpse-bench-jobs-"))
    os.environ["GLIMPSE_HOME"] = str(home)
    os.environ.pop("GLIMPSE_DB_URL", None)
    os.environ["GLIMPSE_HEARTBEAT_S"] = "0.5"

    from sqlalchemy import func, select

    from db.schema import JobLog
    from db.session import default_url, session_factory
    from engine.jobs import queue
    from engine.jobs.reporter import JobReporter

    db_url = default_url(home)
    session = session_factory(db_url)()

    start = time.perf_counter()
    for i in range(args.claims):
        queue.enqueue(session, "sleep", {"seconds": 0, "i": i})
    enqueue_s = time.perf_counter() - start
    print(f"enqueue: {args.claims / enqueue_s:.0f} jobs/s ({enqueue_s * 1000 / args.claims:.2f} ms each)")

    for processes in (1, 2):
        if processes == 2:
            for i in range(args.claims):
                queue.enqueue(session, "sleep", {"seconds": 0, "i": i})
        seconds, counts = _claim_race(db_url, processes)
        print(
            f"claim_next, {processes} process(es): {sum(counts) / seconds:.0f} claims/s "
            f"(split {counts}, every job claimed once: {sum(counts) == args.claims})"
        )

    # one job's full cycle through a real worker: claim, child process start, handler, finish
    ids = [queue.enqueue(session, "sleep", {"seconds": 0}) for _ in range(args.jobs)]
    worker = subprocess.Popen(
        [sys.executable, "-m", "engine.jobs.worker", "--max-jobs", str(args.jobs), "--poll", "0.05"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    # the 2×claims already-claimed jobs above are 'running' with no worker: sweep them out of the way
    queue.sweep_lost(session, 0)
    start = time.perf_counter()
    worker.wait()
    total = time.perf_counter() - start
    done = [queue.get_job(session, i) for i in ids]
    per_job = [(j.finished_at - j.started_at).total_seconds() for j in done]
    print(
        f"empty job through a worker: {total / args.jobs:.2f} s/job wall, "
        f"{sum(per_job) / len(per_job):.2f} s claimed→finished (child process start + imports dominate); "
        f"all succeeded: {all(j.status == 'succeeded' for j in done)}"
    )

    job_id = queue.enqueue(session, "sleep", {})
    queue.claim_next(session, "bench", kinds=["sleep"])
    reporter = JobReporter(db_url, job_id)
    start = time.perf_counter()
    calls = 20_000
    for i in range(calls):
        reporter.progress(i / calls, f"step {i}")
        reporter.cancelled()
    reporter.close()
    seconds = time.perf_counter() - start
    reporter.log("one line")
    logs = session.scalar(select(func.count()).select_from(JobLog).where(JobLog.job_id == job_id))
    print(
        f"JobReporter: {calls} progress+cancelled calls in {seconds:.2f} s "
        f"({seconds / calls * 1e6:.0f} µs/call; throttled to ≤ 4 writes/s, 1 read/s); "
        f"log rows: {logs}"
    )


if __name__ == "__main__":
    main()
