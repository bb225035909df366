"""`glimpse spot-eval` matching on one long video: 10⁵ truths and 10⁵ predictions in a single video.

Spotter-like intervals (SYNTHETIC): truths of 10..60 frames with gaps, predictions jittered around half of
them plus as many random false positives. Times ``evaluate_spotting`` under the MEGC2020 rule and the
strict one-to-one option, the MEGC log's text, and, side by side on a smaller video, the sweep against an
all-pairs comparison (what spot-eval did before: every truth against every prediction). Target: 10⁵
intervals in one video in ≤ 1 s.

    .venv/bin/python benchmarks/bench_spot_matching.py [--n 100000] [--pairs-n 3000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time

from engine.spotting.intervals import Interval
from engine.spotting.log import spotting_log_text
from engine.spotting.metrics import evaluate_spotting, hit_pairs, is_hit


def intervals(n: int, seed: int = 0) -> tuple[list[Interval], list[Interval]]:
    rng = random.Random(seed)
    truth, preds = [], []
    frame = 0
    for _ in range(n):
        frame += rng.randint(20, 200)
        length = rng.randint(10, 60)
        truth.append(Interval("long-video", frame, frame + length - 1, "micro"))
        if len(preds) < n and rng.random() < 0.5:
            shift = rng.randint(-length // 4, length // 4)
            preds.append(Interval("long-video", max(0, frame + shift), frame + shift + length - 1, "micro"))
    while len(preds) < n:
        onset = rng.randint(0, frame)
        preds.append(Interval("long-video", onset, onset + rng.randint(10, 60), "micro"))
    rng.shuffle(preds)
    return truth, preds


def timed(fn, *args):  # noqa: ANN001, ANN202 — a benchmark helper
    """The result and this process's CPU seconds (the shared machine's load inflates wall time)."""
    start = time.process_time()
    out = fn(*args)
    return out, time.process_time() - start


def all_pairs(truth: list[Interval], preds: list[Interval]) -> list[tuple[int, int]]:
    return [(ti, pi) for ti, t in enumerate(truth) for pi, p in enumerate(preds) if is_hit(p, t)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--pairs-n", type=int, default=3000)
    args = parser.parse_args()
    truth, preds = intervals(args.n)
    megc, t_megc = timed(evaluate_spotting, truth, preds)
    _, t_strict = timed(evaluate_spotting, truth, preds, "one_to_one")
    _, t_log = timed(spotting_log_text, megc)
    small_t, small_p = intervals(args.pairs_n, seed=1)
    swept, t_sweep = timed(hit_pairs, small_t, small_p)
    every, t_all = timed(all_pairs, small_t, small_p)
    assert swept == every
    print(
        json.dumps(
            {
                "data": "SYNTHETIC",
                "truths": len(truth),
                "predictions": len(preds),
                "megc2020_s": round(t_megc, 3),
                "megc2020_counts": [megc.overall.tp, megc.overall.fp, megc.overall.fn],
                "one_to_one_s": round(t_strict, 3),
                "log_text_s": round(t_log, 3),
                f"hit_pairs_sweep_{args.pairs_n}_s": round(t_sweep, 4),
                f"hit_pairs_all_pairs_{args.pairs_n}_s": round(t_all, 3),
                "load_1min": round(os.getloadavg()[0], 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
