"""Browser player benchmark in a real Chromium: displayed frames per second at native speed, dropped
frames in slow motion, step latency, and time to the first painted frame of a 100-frame clip and of a
24,000-frame recording.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_player.py [--out docs/performance/player.md]

It writes its own catalog (textured synthetic frames, 200 fps: 100 frames at 64×64, 100 at 256×256, and
a 24,000-frame 64×64 recording), starts `streamlit run` on a free 127.0.0.1 port and drives Chromium
twice: as headless Chromium paces frames by default (a 60 Hz display), and with the frame-rate limit
off (what a high-refresh display allows). Frames are counted by the player itself
(``window.__glimpsePlayer``: a frame is *painted* when it is drawn to the canvas, *dropped* when
playback moved past it without drawing it). Figures are SYNTHETIC-data figures.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import cv2
import numpy as np
from sqlalchemy import insert

from db.schema import Clip, Dataset, Frame, Subject
from db.session import session_scope

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("GLIMPSE_CHROMIUM", "/usr/bin/chromium")
BASE_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
UNLIMITED = ["--disable-frame-rate-limit", "--disable-gpu-vsync"]
PLAYER = '[data-testid="glimpse-player"]'


def _frames(folder: Path, n: int, size: int, seed: int) -> list[int]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    base = cv2.GaussianBlur(rng.integers(0, 255, (size, size), dtype=np.uint8), (0, 0), size / 32)
    for i in range(n):
        frame = np.roll(base, i % size, axis=1)
        cv2.putText(frame, str(i + 1), (2, size // 2), cv2.FONT_HERSHEY_SIMPLEX, size / 96, 255, 1)
        cv2.imwrite(str(folder / f"img{i + 1}.jpg"), frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return list(range(1, n + 1))


def build_catalog(home: Path) -> dict[str, int]:
    root = home / "bench-frames"
    db_url = f"sqlite:///{home / 'catalog.sqlite'}"
    specs = {
        "clip64": (100, 64, "micro"),
        "clip256": (100, 256, "micro"),
        "rec24k": (24_000, 64, "recording"),
    }
    ids: dict[str, int] = {}
    with session_scope(db_url) as s:
        dataset = Dataset(name="bench-player", format="folder", root=str(root), fps=200.0, is_synthetic=True)
        subject = Subject(dataset=dataset, code="b01")
        s.add_all([dataset, subject])
        for seed, (name, (n, size, kind)) in enumerate(specs.items()):
            numbers = _frames(root / name, n, size, seed)
            clip = Clip(
                dataset=dataset, subject=subject, name=name, path=name, kind=kind, fps=200.0, n_frames=n,
                first_frame=1, last_frame=n,
            )  # fmt: skip
            s.add(clip)
            s.flush()
            rows = [
                {"clip_id": clip.id, "index": i, "number": k, "path": f"{name}/img{k}.jpg"}
                for i, k in enumerate(numbers)
            ]
            s.execute(insert(Frame), rows)
            ids[name] = int(clip.id)
    return ids


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(home: Path, cwd: Path = ROOT) -> tuple[subprocess.Popen, str]:
    """``streamlit run`` of the tree at ``cwd`` on a free 127.0.0.1 port, on the catalog in ``home``."""
    env = {**os.environ, "GLIMPSE_HOME": str(home), "GLIMPSE_DB_URL": f"sqlite:///{home / 'catalog.sqlite'}"}
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        env=env, cwd=cwd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("streamlit did not start")


def _open(page, url: str, clip_id: int) -> float:  # noqa: ANN001
    """Seconds from navigation to the first painted frame (what a user waits for)."""
    t0 = time.perf_counter()
    page.goto(f"{url}/annotate?clip={clip_id}&view=frames")
    page.wait_for_function(
        "() => window.__glimpsePlayer && window.__glimpsePlayer.frame === 1", timeout=120_000
    )
    return time.perf_counter() - t0


def _reset(page) -> None:  # noqa: ANN001
    page.evaluate(
        "() => Object.assign(window.__glimpsePlayer, {painted: 0, dropped: 0, stalls: 0, steps: []})"
    )


def _play(page, seconds: float, slower: int) -> dict[str, float]:  # noqa: ANN001
    """Loop the whole clip at native/2^slower speed for ``seconds``; painted/s and dropped frames."""
    player = page.locator(PLAYER)
    player.get_by_test_id("glimpse-frame").click()
    page.keyboard.press("Home")
    for _ in range(slower):
        page.keyboard.press("[")
    loop = player.locator(".gp-loop")
    if not loop.is_checked():
        loop.check()
    player.get_by_test_id("glimpse-frame").click()
    _reset(page)
    t0 = page.evaluate("() => performance.now()")
    page.keyboard.press(" ")
    time.sleep(seconds)
    page.keyboard.press(" ")
    c = page.evaluate("() => ({...window.__glimpsePlayer, now: performance.now()})")
    for _ in range(slower):
        page.keyboard.press("]")
    elapsed = (c["now"] - t0) / 1000
    rate = 200.0 / 2**slower
    return {"fps": c["painted"] / elapsed, "target": rate, "dropped": c["dropped"], "stalls": c["stalls"]}


def _steps(page, n: int = 60) -> list[float]:  # noqa: ANN001
    page.locator(PLAYER).get_by_test_id("glimpse-frame").click()
    page.keyboard.press("Home")
    _reset(page)
    for _ in range(n):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => window.__glimpsePlayer.steps.length >= {n}")
    return page.evaluate("() => window.__glimpsePlayer.steps")


def measure(url: str, ids: dict[str, int], extra_args: list[str]) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    out: dict[str, object] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[*BASE_ARGS, *extra_args], headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.set_default_timeout(120_000)
        _open(page, url, ids["clip64"])  # warm: the first page run imports the engine
        out["first_100"] = _open(page, url, ids["clip256"])  # a clip not opened before (cold caches)
        out["paint_100"] = page.evaluate("() => window.__glimpsePlayer.firstPaintMs")
        out["first_24k"] = _open(page, url, ids["rec24k"])
        out["paint_24k"] = page.evaluate("() => window.__glimpsePlayer.firstPaintMs")
        out["loaded_24k"] = page.evaluate("() => window.__glimpsePlayer.loaded")
        page.locator(PLAYER).get_by_test_id("glimpse-frame").click()
        t0 = time.perf_counter()
        page.keyboard.press("End")
        page.wait_for_function("() => window.__glimpsePlayer.frame === 24000", timeout=120_000)
        out["seek_end_24k"] = time.perf_counter() - t0
        for name in ("clip64", "clip256"):
            _open(page, url, ids[name])
            out[f"{name}_native"] = _play(page, 3.0, 0)
            out[f"{name}_half"] = _play(page, 3.0, 1)
            out[f"{name}_quarter"] = _play(page, 3.0, 2)
            steps = _steps(page)
            out[f"{name}_step"] = (statistics.median(steps), float(np.percentile(steps, 95)))
        browser.close()
    return out


def report(results: dict[str, dict[str, object]]) -> str:
    lines = [
        "| measure | 60 Hz pacing (default headless) | frame-rate limit off |",
        "| --- | --- | --- |",
    ]
    modes = list(results)

    def row(label: str, fmt) -> None:  # noqa: ANN001
        lines.append(f"| {label} | " + " | ".join(fmt(results[m]) for m in modes) + " |")

    row("first frame, 100-frame clip (s)", lambda r: f"{r['first_100']:.2f}")
    row("  of which player mount → first paint (ms)", lambda r: f"{r['paint_100']:.0f}")
    row("first frame, 24,000-frame recording (s)", lambda r: f"{r['first_24k']:.2f}")
    row("  of which player mount → first paint (ms)", lambda r: f"{r['paint_24k']:.0f}")
    row("frames loaded when it opened (of 24,000)", lambda r: f"{r['loaded_24k']}")
    row("seek to the last frame of the recording (s)", lambda r: f"{r['seek_end_24k']:.2f}")
    for name, size in (("clip64", "64×64"), ("clip256", "256×256")):
        for key, speed in (
            ("native", "1× (200 fps)"),
            ("half", "1/2× (100 fps)"),
            ("quarter", "1/4× (50 fps)"),
        ):
            row(
                f"{size} at {speed}: painted fps · dropped",
                lambda r, k=f"{name}_{key}": f"{r[k]['fps']:.0f} · {r[k]['dropped']}",
            )
        row(
            f"{size} step latency, median / p95 (ms)",
            lambda r, k=f"{name}_step": f"{r[k][0]:.1f} / {r[k][1]:.1f}",
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=None, help="write the markdown table here too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="glimpse-bench-player-") as tmp:
        home = Path(tmp)
        t0 = time.perf_counter()
        ids = build_catalog(home)
        print(f"catalog with 24,200 frames written in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        results = {}
        for mode, extra in (("60hz", []), ("unlimited", UNLIMITED)):
            proc, url = start_app(home)  # a fresh server each time: first opens meet cold caches
            try:
                results[mode] = measure(url, ids, extra)
            finally:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(10)
    table = report(results)
    print(table)
    if args.out:
        args.out.write_text(table + "\n")


if __name__ == "__main__":
    main()
