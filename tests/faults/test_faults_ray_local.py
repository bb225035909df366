"""Issue 16 item 8: GLIMPSE_EXECUTOR=ray without RAY_ADDRESS must not start a Ray that listens on all
interfaces: the folds run on the local executor and the user is told so in one line."""

from __future__ import annotations

import sys

from faults_support import cli_env, run_cli

from engine.config import Settings
from engine.executor import LocalExecutor
from engine.jobs.executors import NO_RAY_ADDRESS, get_executor


class Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def progress(self, fraction: float, message: str = "") -> None:
        pass

    def log(self, line: str) -> None:
        self.lines.append(line)

    def cancelled(self) -> bool:
        return False


def test_ray_without_address_runs_locally_and_says_so() -> None:
    log = Lines()
    executor = get_executor(Settings(executor="ray", ray_address=None), log)
    assert isinstance(executor, LocalExecutor)
    assert log.lines == [NO_RAY_ADDRESS]
    ray = sys.modules.get("ray")
    assert ray is None or not ray.is_initialized()  # no private Ray was started


def test_check_executor_says_it_ran_locally(home: object) -> None:
    env = cli_env(GLIMPSE_EXECUTOR="ray")
    env.pop("RAY_ADDRESS", None)
    result = run_cli("jobs", "check-executor", "--tasks", "2", env=env)
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "without RAY_ADDRESS: running on the local executor" in text
    assert "executor: local" in text
