"""How long work reports progress, whoever runs it: a job worker, the CLI (rich bars) or a test.

Every long function takes ``reporter: Reporter | None``; ``None`` means "report nowhere".
"""

from __future__ import annotations

from typing import Protocol


class Reporter(Protocol):
    def progress(self, fraction: float, message: str = "") -> None:
        """Overall completion in [0, 1] and what is happening now."""

    def log(self, line: str) -> None:
        """One line for the job's log."""

    def cancelled(self) -> bool:
        """True once the user asked to stop; long loops check it between steps."""


class NullReporter:
    def progress(self, fraction: float, message: str = "") -> None:
        pass

    def log(self, line: str) -> None:
        pass

    def cancelled(self) -> bool:
        return False


class RichReporter:
    """A rich progress bar for the CLI; log lines are printed above the bar."""

    def __init__(self, description: str) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>5.1f}%"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[message]}"),
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
        self._progress.console.log(line)

    def cancelled(self) -> bool:
        return False


class SubReporter:
    """Maps a sub-task's [0, 1] onto a slice [start, end] of a parent reporter."""

    def __init__(self, parent: Reporter | None, start: float, end: float) -> None:
        self._parent = parent or NullReporter()
        self._start, self._end = start, end

    def progress(self, fraction: float, message: str = "") -> None:
        self._parent.progress(self._start + (self._end - self._start) * fraction, message)

    def log(self, line: str) -> None:
        self._parent.log(line)

    def cancelled(self) -> bool:
        return self._parent.cancelled()
