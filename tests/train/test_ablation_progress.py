"""An ablation's progress messages say which run, variant and seed a fold task belongs to."""

from __future__ import annotations

import dataclasses
import re

from engine.progress import SubReporter
from engine.train.ablation import run_ablation
from engine.train.config import AblationConfig


class Recorder:
    """A real Reporter that keeps what it was told."""

    def __init__(self) -> None:
        self.messages: list[tuple[float, str]] = []

    def progress(self, fraction: float, message: str = "") -> None:
        self.messages.append((fraction, message))

    def log(self, line: str) -> None:
        pass

    def cancelled(self) -> bool:
        return False


def test_nested_labels_prefix_the_message_and_map_the_fraction() -> None:
    top = Recorder()
    inner = SubReporter(SubReporter(top, 0.5, 1.0, "run 2/2"), 0.6, 1.0, "full seed 1 · loso folds")
    inner.progress(0.5, "task 3/6 done")
    inner.progress(1.0)
    assert top.messages == [
        (0.5 + 0.5 * 0.8, "run 2/2 · full seed 1 · loso folds · task 3/6 done"),
        (1.0, "run 2/2 · full seed 1 · loso folds"),
    ]


def test_fold_tasks_of_an_ablation_name_their_variant_and_seed(tiny_catalog: str) -> None:
    cfg = dataclasses.replace(AblationConfig.tiny(), variants=("fir", "full"), seeds=(0,))
    recorder = Recorder()
    run_ablation(tiny_catalog, cfg, recorder)
    tasks = [m for _, m in recorder.messages if re.search(r"task \d+/\d+ done$", m)]
    assert tasks and all(re.match(r"run [12]/2 · (fir|full) seed 0 · loso folds · task", m) for m in tasks)
    assert any(m.startswith("run 2/2 · full seed 0 · loso folds · task 1/") for m in tasks)
    assert any(m.startswith("run 1/2 · fir seed 0 · prepare · ") for _, m in recorder.messages)
    fractions = [f for f, _ in recorder.messages]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0  # never goes back
