"""`glimpse serve`: open the workbench (Streamlit) on loopback with XSRF protection on.

The command replaces itself with Streamlit (``os.execv``), so signals reach the server directly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from engine.cli.common import user_errors
from engine.errors import GlimpseError

APP = Path(__file__).resolve().parents[2] / "streamlit_app.py"


def serve_command(port: int, host: str, app: Path = APP) -> list[str]:
    """The exact ``streamlit run`` command line (kept separate so it can be tested without serving)."""
    return [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.port", str(port),
        "--server.address", host,
        "--server.enableXsrfProtection", "true",
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `glimpse` app."""

    @app.command()
    @user_errors
    def serve(
        port: int = typer.Option(8501, help="TCP port of the workbench."),
        host: str = typer.Option(
            "127.0.0.1", help="Address to bind; the default keeps it on this machine (use a proxy to share)."
        ),
    ) -> None:
        """Open the Glimpse workbench in the browser: `streamlit run streamlit_app.py` on HOST:PORT.

        The catalog is GLIMPSE_HOME/catalog.sqlite (or GLIMPSE_DB_URL); its schema is upgraded on start.
        """
        if not APP.exists():
            raise GlimpseError("streamlit_app.py is missing", where=str(APP), hint="reinstall Glimpse")
        typer.echo(f"Glimpse workbench on http://{host}:{port}  (Ctrl+C to stop)")
        command = serve_command(port, host)
        # become Streamlit (same pid): a SIGTERM to `glimpse serve` stops the server itself, and no
        # child is left behind holding the port (a subprocess would be orphaned, still serving)
        os.execv(command[0], command)
