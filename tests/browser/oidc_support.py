"""A real OpenID Connect provider for the browser tests, and a workbench that signs in through it.

The provider is the certified npm package ``oidc-provider`` (v9) under the machine's Node, installed on
first use into a cache folder outside the repository (``GLIMPSE_OIDC_CACHE``, default
``~/.cache/glimpse/oidc``) — a fresh clone needs no manual step. The workbench runs from an app folder of
the test's own whose ``.streamlit/secrets.toml`` holds the ``[auth]`` section (never the repository's).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_support import stop, wait_http

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
OIDC_CACHE = Path(os.environ.get("GLIMPSE_OIDC_CACHE", Path.home() / ".cache" / "glimpse" / "oidc"))
OIDC_PACKAGE = "oidc-provider@9"
CLIENT_ID = "glimpse"
SHORT_LIVED = "brief"  # the account whose ID token expires after 2 s (an expired sign-in)


def provider_entry() -> Path:
    """The installed package's entry file, installing it into the cache on first use."""
    entry = OIDC_CACHE / "node_modules" / "oidc-provider" / "lib" / "index.js"
    if entry.exists():
        return entry
    if not shutil.which("node") or not shutil.which("npm"):
        message = "the OIDC sign-in tests need Node 20+ and npm (apt-get install -y nodejs npm)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    OIDC_CACHE.mkdir(parents=True, exist_ok=True)
    (OIDC_CACHE / "package.json").write_text('{"name": "glimpse-oidc-cache", "private": true}\n')
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", OIDC_PACKAGE],
        cwd=OIDC_CACHE, check=True, timeout=600,
    )  # fmt: skip
    return entry


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_secret: str


@contextmanager
def oidc_provider(port: int, redirect_uri: str, log: Path) -> Iterator[Provider]:
    """Run the provider on 127.0.0.1:``port`` for one client redirecting to ``redirect_uri``."""
    secret = secrets.token_urlsafe(24)
    env = {
        **os.environ,
        "OIDC_PROVIDER_ENTRY": str(provider_entry()),
        "OIDC_PORT": str(port),
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": secret,
        "OIDC_REDIRECT_URI": redirect_uri,
        "OIDC_COOKIE_KEY": secrets.token_urlsafe(24),
        "OIDC_SHORT_LIVED": SHORT_LIVED,
    }
    proc = subprocess.Popen(
        ["node", str(PROVIDER_SCRIPT)], env=env, start_new_session=True, stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    issuer = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{issuer}/.well-known/openid-configuration", 60, proc)
        yield Provider(issuer=issuer, client_secret=secret)
    finally:
        stop(proc)


def write_auth_secrets(app_dir: Path, app_port: int, provider: Provider) -> None:
    """The ``[auth]`` section Streamlit's ``st.login`` reads, in the app folder's own secrets file."""
    folder = app_dir / ".streamlit"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{provider.client_secret}"\n'
        f'server_metadata_url = "{provider.issuer}/.well-known/openid-configuration"\n'
        'client_kwargs = { prompt = "login" }\n'
    )


def start_workbench(app_dir: Path, port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    """``streamlit run`` of the repository's app from ``app_dir`` (so its secrets are the ones read)."""
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        env={**env, "PYTHONPATH": str(ROOT)}, cwd=app_dir, start_new_session=True, stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
