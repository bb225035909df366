"""Next clip in the Annotate page, in a real Chromium: seconds from the user's action to the first painted
frame of the new clip, median and p95 over 20 clips, for this tree and (``--before REV``) an older commit
served side by side in the same run (the machine is shared: only a ratio measured together is fair).

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_next_clip.py --before 5799ef7 [--clips 20]

Three ways to the next clip are timed, interleaved between the two trees clip by clip:

- **next clip**: the next clip of the page's clip list, picked in the "clip" box (what N / P of a coder
  queue does: a rerun of the open page, no page load);
- **deep link**: ``/annotate?clip=<id>`` typed or followed from another page (a whole page load);
- both again for a synthetic long video (1,3xx frames) and a 24,000-frame recording (200 fps, 64×64).

After each, ``--dwell`` seconds pass on the clip (a coder looks at it before the next). The catalog is
the default **SYNTHETIC** corpus (``glimpse synth``: 871 clips, long videos of 560–1,561 frames) plus the
24,000-frame recording; each tree gets its own copy of the catalog and an empty cache, so neither finds
the other's caches warm (the frame files are shared, read-only). "First painted frame" is the player's
own stamp (``window.__glimpsePlayer``: mount time + ``firstPaintMs``), the same in both trees; the part
up to the player's mount (or, where the page keeps one player across clips, up to the new clip's data
reaching it) is the page (server script, transfer, Streamlit's rendering); the rest, the player's own
part, is decoding and painting the first frame. ``uptime`` is
printed before and after.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_player import BASE_ARGS, CHROMIUM, _frames, start_app  # noqa: E402

from db.schema import Clip, Dataset, Frame, Subject  # noqa: E402
from db.session import session_scope  # noqa: E402

RECORDING_FRAMES = 24_000
# the new clip's first frame is painted: a stamp set after the action (a sentinel before it)
PAINTED = """([first]) => { const c = window.__glimpsePlayer;
  return !!c && typeof c.firstPaintMs === 'number' && c.firstPaintMs >= 0 && c.frame === first; }"""
PAINT_AT = "() => window.__glimpsePlayer.mountedAt + window.__glimpsePlayer.firstPaintMs"
MOUNT_AT = "() => window.__glimpsePlayer.mountedAt"
OWN = "() => window.__glimpsePlayer.firstPaintMs"  # the player's own part: its data in → frame painted


def build_home(home: Path) -> None:
    """The default SYNTHETIC corpus (ingested: 150 ME clips, long videos of 560–1,561 frames) plus a
    24,000-frame recording, in ``home``."""
    os.environ["GLIMPSE_HOME"] = str(home)
    os.environ.pop("GLIMPSE_DB_URL", None)
    from engine.ingest.catalog import ingest_synthetic_corpus
    from engine.paths import synthetic_dir
    from engine.synth.config import SynthConfig
    from engine.synth.write import generate_corpus

    generate_corpus(synthetic_dir(), SynthConfig())
    with session_scope() as s:
        ingest_synthetic_corpus(s, synthetic_dir())
    root = home / "bench-recording"
    numbers = _frames(root / "rec24k", RECORDING_FRAMES, 64, 0)
    with session_scope() as s:
        dataset = Dataset(
            name="bench-recording", format="folder", root=str(root), fps=200.0, is_synthetic=True
        )
        subject = Subject(dataset=dataset, code="b01")
        clip = Clip(
            dataset=dataset, subject=subject, name="rec24k", path="rec24k", kind="recording", fps=200.0,
            n_frames=RECORDING_FRAMES, first_frame=1, last_frame=RECORDING_FRAMES,
        )  # fmt: skip
        s.add_all([dataset, subject, clip])
        s.flush()
        s.execute(
            insert(Frame),
            [
                {"clip_id": clip.id, "index": i, "number": k, "path": f"rec24k/img{k}.jpg"}
                for i, k in enumerate(numbers)
            ],
        )


def clip_list(home: Path) -> tuple[list[tuple[int, str, int]], list[tuple[int, str, int]]]:
    """(id, label as the clip box shows it, first frame number) of the ME clips, and of two recordings:
    a synthetic long video and the 24,000-frame one."""
    with session_scope(f"sqlite:///{home / 'catalog.sqlite'}") as s:
        rows = s.execute(
            select(Clip.id, Dataset.name, Subject.code, Clip.name, Clip.first_frame, Clip.kind)
            .join(Dataset, Clip.dataset_id == Dataset.id)
            .join(Subject, Clip.subject_id == Subject.id)
            .order_by(Clip.id)
        ).all()
    out = [(int(r[0]), f"#{r[0]} {r[1]}/{r[2]}/{r[3]}", int(r[4])) for r in rows]
    micro = [o for o, r in zip(out, rows, strict=True) if r[5] == "micro"]
    long_videos = [o for o, r in zip(out, rows, strict=True) if r[5] == "recording" and r[3] != "rec24k"]
    rec24k = next(o for o, r in zip(out, rows, strict=True) if r[3] == "rec24k")
    return micro, [long_videos[len(long_videos) // 2], rec24k]


def tree_of(rev: str, into: Path) -> Path:
    """The files of commit ``rev`` (``git archive``), to serve the "before" side from."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def serve(tree: Path, home: Path) -> tuple[subprocess.Popen, str]:
    os.environ["PYTHONPATH"] = str(tree)
    return start_app(home, cwd=tree)


def _arm(page) -> float:  # noqa: ANN001
    """Reset the paint stamp to a sentinel; returns the page clock now (ms)."""
    return page.evaluate(
        "() => { const c = window.__glimpsePlayer; if (c) c.firstPaintMs = -1; return performance.now(); }"
    )


def next_clip(page, label: str, first: int) -> tuple[float, float, float]:  # noqa: ANN001
    """Pick ``label`` in the clip box; seconds to the first painted frame, to the player's getting the
    clip (its mount, or new data for the player kept from the last clip), and the player's own part."""
    box = page.get_by_label("clip", exact=True)
    box.click()
    page.keyboard.type(label.split(" ")[0] + " ")
    t0 = _arm(page)
    page.keyboard.press("Enter")
    page.wait_for_function(PAINTED, arg=[first], timeout=120_000)
    return (
        (page.evaluate(PAINT_AT) - t0) / 1000,
        (page.evaluate(MOUNT_AT) - t0) / 1000,
        page.evaluate(OWN) / 1000,
    )


def deep_link(page, url: str, clip_id: int, first: int) -> tuple[float, float, float]:  # noqa: ANN001
    """Load ``/annotate?clip=ID``: seconds from navigation start to the first painted frame, to the mount."""
    page.goto(f"{url}/annotate?clip={clip_id}")
    page.wait_for_function(PAINTED, arg=[first], timeout=120_000)
    return page.evaluate(PAINT_AT) / 1000, page.evaluate(MOUNT_AT) / 1000, page.evaluate(OWN) / 1000


def _stats(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} / {float(np.percentile(values, 95)):.2f}"


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


Results = dict[str, dict[str, list[float]]]


def measure(sides: list[str], urls: dict[str, str], clips: list, recordings: list, args) -> Results:  # noqa: ANN001
    """Every timing of both sides, interleaved (one side first on even turns, the other on odd ones);
    after each, ``--dwell`` seconds on the clip, as a coder looks at it before pressing N."""
    from playwright.sync_api import sync_playwright

    results: Results = {s: {} for s in sides}

    def record(side: str, what: str, value: tuple[float, float, float]) -> None:
        results[side].setdefault(what, []).append(value[0])
        results[side].setdefault(f"{what}: of which to the player's mount / new data", []).append(value[1])
        results[side].setdefault(f"{what}: of which the player (data in → painted)", []).append(value[2])
        time.sleep(args.dwell)

    def turns(k: int) -> list[str]:
        return sides if k % 2 == 0 else sides[::-1]

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=BASE_ARGS, headless=True)
        pages = {}
        for side in sides:
            pages[side] = browser.new_page(viewport={"width": 1400, "height": 1400})
            pages[side].set_default_timeout(120_000)
            deep_link(pages[side], urls[side], clips[0][0], clips[0][2])  # warm: imports the engine
        for k, (_, label, first) in enumerate(clips[1:]):
            for side in turns(k):
                record(side, "next clip", next_clip(pages[side], label, first))
        for k, (cid, _, first) in enumerate(clips[1:]):
            for side in turns(k):
                record(side, "deep link", deep_link(pages[side], urls[side], cid, first))
        for name, (rid, rlabel, rfirst) in zip(("long video", "24k recording"), recordings, strict=True):
            for k in range(args.recording_repeats):
                for side in turns(k):
                    deep_link(pages[side], urls[side], clips[k][0], clips[k][2])
                    record(side, f"{name}, next clip", next_clip(pages[side], rlabel, rfirst))
                    record(side, f"{name}, deep link", deep_link(pages[side], urls[side], rid, rfirst))
        browser.close()
    return results


def report(results: Results) -> str:
    sides = list(results)
    lines = ["| to the first painted frame (s), median / p95 | " + " | ".join(sides) + " |"]
    lines.append("| --- |" + " --- |" * len(sides))
    for what in results[sides[-1]]:
        n = len(results[sides[-1]][what])
        lines.append(f"| {what} (n={n}) | " + " | ".join(_stats(results[s][what]) for s in sides) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default=None, help="a commit to serve beside this tree (git rev)")
    parser.add_argument("--clips", type=int, default=20)
    parser.add_argument("--recording-repeats", type=int, default=5)
    parser.add_argument("--dwell", type=float, default=2.0, help="seconds spent on a clip before the next")
    parser.add_argument("--out", type=Path, default=None, help="write the markdown table here too")
    parser.add_argument("--home", type=Path, default=None, help="build the corpus here once and reuse it")
    args = parser.parse_args()
    print(f"start: {uptime()}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="glimpse-bench-next-") as tmp:
        base = args.home or Path(tmp) / "home"
        if not (base / "catalog.sqlite").is_file():
            base.mkdir(parents=True, exist_ok=True)
            t0 = time.perf_counter()
            build_home(base)
            print(f"catalog written in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        trees = {"after": ROOT}
        if args.before:
            trees = {"before": tree_of(args.before, Path(tmp) / "before"), "after": ROOT}
        servers: dict[str, subprocess.Popen] = {}
        urls: dict[str, str] = {}
        try:
            for side, tree in trees.items():
                home = Path(tmp) / f"home-{side}"  # its own catalog and caches; the frames are shared
                home.mkdir()
                shutil.copy2(base / "catalog.sqlite", home / "catalog.sqlite")
                servers[side], urls[side] = serve(tree, home)
            micro, recordings = clip_list(base)
            results = measure(list(trees), urls, micro[: args.clips + 1], recordings, args)
        finally:
            for proc in servers.values():
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(10)
    print(f"end: {uptime()}", file=sys.stderr)
    table = report(results)
    print(table)
    if args.out:
        args.out.write_text(table + "\n")


if __name__ == "__main__":
    main()
