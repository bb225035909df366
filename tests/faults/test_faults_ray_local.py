"""Issue 16 item 8: GLIMPSE_EXECUTOR=ray without RAY_ADDRESS must not start a Ray that listens on all
interfaces: the folds run on the local executor and the user is told so in one line."""

from __future__ import annotations

import subprocess
import sys

from faults_support import cli_env, run_cli

from engine.local_executor import LocalExecutor

# run in a fresh interpreter: a Ray another test of this session joined would rightly be reused
PROBE = """
import sys
from engine.config import Settings
from engine.local_executor import LocalExecutor
from engine.jobs.executor_choice import NO_RAY_ADDRESS, get_executor


class Lines:
    def __init__(self):
        self.lines = []

    def progress(self, fraction, message=""):
        pass

    def log(self, line):
        self.lines.append(line)

    def cancelled(self):
        return False


log = Lines()
executor = get_executor(Settings(executor="ray", ray_address=None), log)
ray = sys.modules.get("ray")
print(type(executor).__name__, log.lines == [NO_RAY_ADDRESS], ray is not None and ray.is_initialized())
"""


def test_ray_without_address_runs_locally_and_says_so() -> None:
    env = cli_env()
    env.pop("RAY_ADDRESS", None)
    command = [sys.executable, "-c", PROBE]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    # the local executor, the one line said, and no private Ray started
    assert result.stdout.split() == [LocalExecutor.__name__, "True", "False"]


def test_check_executor_says_it_ran_locally(home: object) -> None:
    env = cli_env(GLIMPSE_EXECUTOR="ray")
    env.pop("RAY_ADDRESS", None)
    result = run_cli("jobs", "check-executor", "--tasks", "2", env=env)
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "without RAY_ADDRESS: running on the local executor" in text
    assert "executor: local" in text
