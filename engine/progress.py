"""How long work reports progress and learns it should stop, whoever runs it: a job worker, the CLI (rich
bars) or a test. The one cancellation exception lives here, below every layer that raises or catches it.

Every long function takes ``reporter: Reporter | None``; ``None`` means "report nowhere".
"""

from __future__ import annotations

from typing import Protocol

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn


class Cancelled(Exception):  # noqa: N818 (reads as the job state it causes)
    """The user asked to stop. Raised between steps (epochs, folds, clips) once ``reporter.cancelled()``
    is true; whoever runs the job records it as ``cancelled`` (job and runs), never as ``failed``."""

    def __init__(self, message: str = "cancelled by the user") -> None:
        super().__init__(message)


class Reporter(Protocol):
    def progress(self, fraction: float, message: str = "") -> None:
        """Overall completion in [0, 1] and what is happening now."""

    def log(self, line: str) -> None:
        """One line for the job's log."""

    def cancelled(self) -> bool:
        """True once the user asked to stop; long loops check it between steps."""


def check_cancel(reporter: Reporter | None) -> None:
    """Raise ``Cancelled`` once the reporter says the user asked to stop."""
    if reporter is not None and reporter.cancelled():
        raise Cancelled()


class NullReporter:
    def progress(self, fraction: float, message: str = "") -> None:
        pass

    def log(self, line: str) -> None:
        pass

    def cancelled(self) -> bool:
        return False


class RichReporter:
    """A rich progress bar for the CLI; log lines are printed above the bar (``show_log=False``: not).

    Bar and log go to stderr, so a command's stdout stays what it prints (``--json`` output parses).
    """

    def __init__(self, description: str, show_log: bool = True) -> None:
        self._show_log = show_log
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>5.1f}%"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[message]}"),
            console=Console(stderr=True),
        )
        self._task = self._progress.add_task(description, total=1.0, message="")

    def __enter__(self) -> RichReporter:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def progress(self, fraction: float, message: str = "") -> None:
        self._progress.update(self._task, completed=max(0.0, min(1.0, fraction)), message=message)

    def log(self, line: str) -> None:
        if self._show_log:
            self._progress.console.log(line)

    def cancelled(self) -> bool:
        return False


class TeeReporter:
    """Reports to several reporters at once (a job's row and the terminal's bar); cancelled when any is."""

    def __init__(self, *reporters: Reporter) -> None:
        self._reporters = reporters

    def progress(self, fraction: float, message: str = "") -> None:
        for reporter in self._reporters:
            reporter.progress(fraction, message)

    def log(self, line: str) -> None:
        for reporter in self._reporters:
            reporter.log(line)

    def cancelled(self) -> bool:
        return any(reporter.cancelled() for reporter in self._reporters)


class SubReporter:
    """Maps a sub-task's [0, 1] onto a slice [start, end] of a parent reporter; a ``label`` (e.g. "full
    seed 1") is put before the sub-task's messages, so "task 17/26 done" says whose task it is."""

    def __init__(self, parent: Reporter | None, start: float, end: float, label: str = "") -> None:
        self._parent = parent or NullReporter()
        self._start, self._end = start, end
        self._label = label

    def progress(self, fraction: float, message: str = "") -> None:
        if self._label:
            message = f"{self._label} · {message}" if message else self._label
        self._parent.progress(self._start + (self._end - self._start) * fraction, message)

    def log(self, line: str) -> None:
        self._parent.log(line)

    def cancelled(self) -> bool:
        return self._parent.cancelled()
