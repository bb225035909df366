"""Screenshot workbench pages against an existing GLIMPSE_HOME (e.g. after a full ablation) for the docs.

    GLIMPSE_HOME=/path/to/home .venv/bin/python scripts/screenshots.py compare results --prefix ablation-

Starts ``streamlit run streamlit_app.py`` on a free loopback port, opens each page in Debian's Chromium
through Playwright, waits until the script run is over, and writes ``docs/screenshots/<prefix><page>.png``.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
IDLE = """() => document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState === 'notRunning'
           && document.querySelectorAll('[data-testid="stSkeleton"]').length === 0"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="+", help="url paths: datasets clips annotate train results compare …")
    parser.add_argument("--prefix", default="", help="file name prefix under docs/screenshots/")
    parser.add_argument("--height", type=int, default=1700)
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "streamlit_app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],  # fmt: skip
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": args.height})
            for _ in range(60):
                try:
                    page.goto(f"http://127.0.0.1:{port}/", timeout=2000)
                    break
                except Exception:  # server not up yet
                    time.sleep(1)
            for name in args.pages:
                page.goto(f"http://127.0.0.1:{port}/{name}")
                page.wait_for_timeout(1500)
                page.wait_for_function(IDLE, timeout=120_000)
                out = ROOT / "docs" / "screenshots" / f"{args.prefix}{name}.png"
                page.screenshot(path=str(out))
                print(out)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
