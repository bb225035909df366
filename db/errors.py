"""The one error type for problems a user can cause; its message says what, where, and what to do.

It lives in the lowest part (``db``) so the catalog's own checks can raise it without importing upward;
``engine.errors`` re-exports it for everything above.
"""

from __future__ import annotations

from datetime import datetime


class GlimpseError(Exception):
    """A user-facing error: bad path, bad file, missing column, face not found, …

    ``where`` names the file (and row) at fault so the UI and CLI can show it without a traceback.
    """

    def __init__(self, message: str, where: str | None = None, hint: str | None = None) -> None:
        self.message = message
        self.where = where
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class AnnotationConflict(GlimpseError):
    """Someone saved this annotation after the caller opened it: reload theirs, or overwrite it knowingly.

    ``who`` / ``when`` / ``version`` describe the row as it is now, so a page can say whose change it
    would overwrite and reopen at ``version``; ``who`` is None when the row was removed meanwhile.
    """

    def __init__(self, who: str | None, when: datetime | None, version: int | None, where: str | None = None):
        self.who, self.when, self.version = who, when, version
        stamp = f"{when:%Y-%m-%d %H:%M:%S} UTC" if when else "an unknown time"
        text = f"changed by {who} at {stamp}" if who is not None else "removed since you opened it"
        super().__init__(f"{text} — reload or overwrite", where=where)


class NotAllowed(GlimpseError):
    """The signed-in person's role (or a missing assignment) does not allow this; nothing was written."""


class CatalogFault(GlimpseError):
    """The catalog could not answer for a reason outside the request: busy, unreachable or out of space.

    ``transient`` faults (busy, unreachable) may be retried: the same call can succeed a moment later;
    a full disk needs the user to free space first.
    """

    transient = True


class CatalogBusy(CatalogFault):
    """SQLite's write lock stayed with another process longer than Glimpse waits for it."""


class CatalogUnreachable(CatalogFault):
    """The database server closed the connection or refuses new ones (restarting, stopped, network)."""


class NoSpace(CatalogFault):
    """No space left on a device Glimpse writes to (the catalog's, the data home's, a run's folder)."""

    transient = False
