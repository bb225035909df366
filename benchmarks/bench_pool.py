"""The docs' 6-method × 3-seed table (docs/RESULTS.md) sequential and on the local worker pool, side by side
in one run: wall time, CPU-seconds (this process and its workers), the ratio, each worker's peak memory,
and whether BOTH tables reproduce docs/RESULTS.md digit for digit.

    GLIMPSE_HOME=/tmp/bench-pool .venv/bin/python benchmarks/bench_pool.py [--workers N] [--seeds 0,1,2]

With fewer seeds (``--seeds 0``: a quick ratio on a busy machine) the check against docs/RESULTS.md is
of those seeds' UF1 (the table's "per seed" column).

The same config as ``glimpse ablation --variants fir,er,mixt,full,lbptop,flowcnn --seeds 0,1,2`` (defaults,
device auto). Makes and ingests the default SYNTHETIC corpus in GLIMPSE_HOME when missing, then warms the
face-crop and training-data caches with a one-epoch run of every variant (untimed: the first run of a fresh
home adds crop making, which is preprocessing, not the ablation). ``--workers`` defaults to one per core.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import time
from pathlib import Path
from typing import Any

from bench_ablation import ensure_corpus

from db.session import default_url
from engine.local_executor import LocalExecutor, available_cores
from engine.train.ablation import run_ablation
from engine.train.config import AblationConfig

RESULTS = Path(__file__).resolve().parents[1] / "docs" / "RESULTS.md"
VARIANTS = ("fir", "er", "mixt", "full", "lbptop", "flowcnn")
# docs/RESULTS.md's table rows, in its order, by the words that start them
ROWS = {"FULL": "full", "ER": "er", "MIXT": "mixt", "FIR": "fir", "LBP-TOP": "lbptop", "flow CNN": "flowcnn"}


class Watch:
    """Progress into the terminal once per finished run; keeps the workers' peak memory."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.start = time.perf_counter()
        self.peaks: list[float] = []

    def progress(self, fraction: float, message: str = "") -> None:
        found = re.search(r"worker peak memory (\d+) MiB", message)
        if found:
            self.peaks.append(float(found.group(1)))

    def log(self, line: str) -> None:
        print(f"  [{self.label} {time.perf_counter() - self.start:6.1f} s] {line}", flush=True)

    def cancelled(self) -> bool:
        return False


def cpu_seconds() -> float:
    """User + system CPU of this process and of every child it has reaped (the pool's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def documented_table() -> dict[str, tuple[str, ...]]:
    """docs/RESULTS.md's SYNTHETIC table: variant → (UF1 mean ± sd, CI, UAR mean ± sd, UF1 per seed)."""
    table: dict[str, tuple[str, ...]] = {}
    for line in RESULTS.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5:
            for words, variant in ROWS.items():
                if cells[0].startswith((words + " ", words + ",")) and variant not in table:
                    table[variant] = tuple(cells[1:])
    return table


def measured_table(comparison: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """The same cells, formatted as docs/RESULTS.md writes them (one seed: no sd, no interval)."""
    table = {}
    for variant, row in comparison["variants"].items():
        lo, hi = row["uf1_ci"] or (0.0, 0.0)
        sd, uar_sd = row["uf1_sd"] or 0.0, row["uar_sd"] or 0.0
        table[variant] = (
            f"{row['uf1_mean']:.3f} ± {sd:.3f}",
            f"{lo:.3f} – {hi:.3f}" if sd else "—",
            f"{row['uar_mean']:.3f} ± {uar_sd:.3f}",
            ", ".join(f"{v:.3f}" for v in row["uf1"]),
        )
    return table


def _matches(row: tuple[str, ...], documented: tuple[str, ...] | None, seeds: list[int]) -> bool:
    """Digit for digit: the whole row for seeds 0, 1, 2; for fewer seeds, their per-seed UF1."""
    if documented is None:
        return False
    if seeds == [0, 1, 2]:
        return row == documented
    per_seed = documented[3].split(", ")
    return all(0 <= s < len(per_seed) for s in seeds) and row[3].split(", ") == [per_seed[s] for s in seeds]


def timed(cfg: AblationConfig, workers: int, label: str) -> dict[str, Any]:
    watch = Watch(label)
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    parent, comparison = run_ablation(default_url(), cfg, watch, executor=LocalExecutor(workers))
    wall, cpu = time.perf_counter() - wall0, cpu_seconds() - cpu0
    table = measured_table(comparison)
    return {"run": parent, "wall": wall, "cpu": cpu, "table": table, "peaks": watch.peaks}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=available_cores())
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--no-warm", action="store_true", help="skip the untimed cache warm-up")
    args = parser.parse_args()
    ensure_corpus(default_url())
    base = AblationConfig.from_dict({**AblationConfig().to_dict(), "device": "auto"})
    cfg = AblationConfig.from_dict(
        {**base.to_dict(), "variants": list(VARIANTS), "seeds": [int(s) for s in args.seeds.split(",")]}
    )
    if not args.no_warm:
        warm = cfg.to_dict()
        warm["seeds"], warm["encoder"]["epochs"], warm["sequence"]["epochs"] = [0], 1, 1
        started = time.perf_counter()
        run_ablation(default_url(), AblationConfig.from_dict(warm), executor=LocalExecutor(args.workers))
        print(f"caches warmed in {time.perf_counter() - started:.1f} s (untimed)", flush=True)

    load_before = os.getloadavg()
    serial = timed(cfg, 1, "sequential")
    pooled = timed(cfg, args.workers, f"pool×{args.workers}")
    load_after = os.getloadavg()

    documented = documented_table()
    cores = os.cpu_count()
    print(f"\n{len(VARIANTS)} methods × {len(cfg.seeds)} seeds, SYNTHETIC default corpus, {cores} cores")
    print(f"{'mode':14s} {'wall s':>8s} {'CPU s':>8s} {'CPU/wall':>9s}  run")
    for name, r in (("sequential", serial), (f"pool×{args.workers}", pooled)):
        print(f"{name:14s} {r['wall']:8.1f} {r['cpu']:8.1f} {r['cpu'] / r['wall']:9.2f}  {r['run']}")
    print(f"speed-up (sequential wall / pool wall): ×{serial['wall'] / pooled['wall']:.2f}")
    if pooled["peaks"]:
        peaks = pooled["peaks"]
        print(f"worker peak RSS: max {max(peaks):.0f} MiB, min {min(peaks):.0f} MiB over {len(peaks)} runs")
    print("load average (1, 5, 15 min) before: {:.1f} {:.1f} {:.1f}".format(*load_before))
    print("load average (1, 5, 15 min) after:  {:.1f} {:.1f} {:.1f}".format(*load_after))
    header = ("variant", "UF1 mean ± sd", "UF1 95% CI", "UAR mean ± sd", "UF1 per seed", "docs/RESULTS.md")
    print("\n{:9s} {:15s} {:15s} {:15s} {:23s} {}".format(*header))
    for variant in VARIANTS:
        row = pooled["table"][variant]
        same_modes = row == serial["table"][variant]
        as_documented = _matches(row, documented.get(variant), list(cfg.seeds))
        verdict = ("same" if as_documented else f"DIFFERS {documented.get(variant)}") + (
            "" if same_modes else f"; sequential DIFFERS {serial['table'][variant]}"
        )
        print(f"{variant:9s} {row[0]:15s} {row[1]:15s} {row[2]:15s} {row[3]:23s} {verdict}")


if __name__ == "__main__":
    main()
