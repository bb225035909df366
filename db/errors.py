"""The one error type for problems a user can cause; its message says what, where, and what to do.

It lives in the lowest part (``db``) so the catalog's own checks can raise it without importing upward;
``engine.errors`` re-exports it for everything above.
"""

from __future__ import annotations


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
