"""Helpers every CLI module shares: turning GlimpseError into a clean message and exit code."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from engine.errors import GlimpseError

P = ParamSpec("P")
R = TypeVar("R")
console = Console(stderr=True)


def user_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Show a GlimpseError as one red line (no traceback) and exit with status 2."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except GlimpseError as error:
            console.print(f"[red]error:[/red] {error}")
            raise typer.Exit(2) from error

    return wrapper
