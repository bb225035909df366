"""`glimpse serve` binds loopback with XSRF on; figures download as real PNG (kaleido + system Chromium)."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import plotly.graph_objects as go
import pytest

from engine.cli.serve import APP, serve_command

ROOT = Path(__file__).resolve().parents[2]


def test_serve_command_defaults_to_loopback_with_xsrf() -> None:
    cmd = serve_command(8501, "127.0.0.1")
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[4] == str(APP) and APP.name == "streamlit_app.py"
    opts = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    assert opts["--server.address"] == "127.0.0.1"
    assert opts["--server.enableXsrfProtection"] == "true"
    assert opts["--server.port"] == "8501"


def test_streamlit_config_is_loopback_xsrf_no_telemetry() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["enableXsrfProtection"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert (
        not (ROOT / ".streamlit" / "secrets.toml").exists()
        or "secrets.toml" in (ROOT / ".gitignore").read_text()
    )


@pytest.mark.skipif(not shutil.which("chromium"), reason="kaleido needs a local Chromium")
def test_figure_png_download_bytes() -> None:
    from workbench.components.downloads import _png_bytes

    data = _png_bytes(go.Figure(go.Bar(x=["a", "b"], y=[1, 2])))
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 1000
