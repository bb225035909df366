"""Catalog benchmark: a filtered page of 100 clips from 100k clips / 1M frames (target ≤ 300 ms).

Builds the catalog with the same bulk inserts ingest uses, in a temporary folder (SQLite, migrated by
Alembic like the app), then times ``db.queries.list_clips`` with dataset + label + agreement filters and
the total count. Run: ``.venv/bin/python benchmarks/bench_catalog.py [--clips 100000 --frames-per-clip 10]``
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

from db.queries import ClipFilter, catalog_snapshot, dataset_stats, list_clips
from db.schema import Clip, Dataset, Frame, Subject
from db.session import session_factory
from engine.synth.write import CASME2_HEADER

LABELS = ("negative", "positive", "surprise", None)
AGREEMENT = (None, 1 / 3, 0.5, 2 / 3, 1.0)


def build(session, n_clips: int, frames_per_clip: int, n_datasets: int = 4, n_subjects: int = 25) -> dict:  # noqa: ANN001
    rng = random.Random(0)
    started = time.perf_counter()
    datasets = [
        Dataset(name=f"bench-{d}", format="casme2", root=f"/bench/{d}", fps=200.0) for d in range(n_datasets)
    ]
    session.add_all(datasets)
    session.flush()
    session.execute(
        insert(Subject),
        [{"dataset_id": ds.id, "code": f"sub{s:02d}"} for ds in datasets for s in range(n_subjects)],
    )
    subjects = session.execute(select(Subject.dataset_id, Subject.id)).all()
    by_dataset: dict[int, list[int]] = {}
    for dataset_id, subject_id in subjects:
        by_dataset.setdefault(dataset_id, []).append(subject_id)
    rows = []
    for k in range(n_clips):
        ds = datasets[k % n_datasets]
        n_ann = rng.randint(1, 4)
        rows.append(
            {
                "dataset_id": ds.id,
                "subject_id": rng.choice(by_dataset[ds.id]),
                "name": f"EP{k:06d}",
                "path": f"sub/EP{k:06d}",
                "n_frames": frames_per_clip,
                "first_frame": 1,
                "last_frame": frames_per_clip,
                "onset": 2,
                "apex": 4,
                "offset": frames_per_clip - 1,
                "label": rng.choice(LABELS),
                "emotion_raw": "disgust",
                "n_annotators": n_ann,
                "agreement": None if n_ann < 2 else rng.choice(AGREEMENT[1:]),
            }
        )
    for i in range(0, len(rows), 20_000):
        session.execute(insert(Clip), rows[i : i + 20_000])
    clips_done = time.perf_counter()
    clip_ids = list(session.scalars(select(Clip.id).order_by(Clip.id)))
    batch: list[dict] = []
    n_frames = 0
    for clip_id in clip_ids:
        batch.extend(
            {"clip_id": clip_id, "index": i, "number": i + 1, "path": f"sub/img{i + 1}.jpg"}
            for i in range(frames_per_clip)
        )
        if len(batch) >= 50_000:
            session.execute(insert(Frame), batch)
            n_frames += len(batch)
            batch = []
    if batch:
        session.execute(insert(Frame), batch)
        n_frames += len(batch)
    session.commit()
    done = time.perf_counter()
    return {
        "dataset_id": datasets[1].id,
        "clips": len(clip_ids),
        "frames": n_frames,
        "clip_insert_s": clips_done - started,
        "frame_insert_s": done - clips_done,
    }


def bench_ingest(n_clips: int, frames_per_clip: int) -> None:
    """Time ``ingest_dataset`` on a generated CASME II-layout folder (tiny 32×32 JPEG frames)."""
    import cv2
    import numpy as np
    from openpyxl import Workbook

    from engine.ingest.catalog import ingest_dataset

    pixels = np.full((32, 32, 3), 128, dtype=np.uint8)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "CASME2"
        book = Workbook()
        sheet = book.active
        sheet.title = "Sheet1"
        sheet.append(list(CASME2_HEADER))
        emotions = ("happiness", "disgust", "surprise", "repression", "others")
        for k in range(n_clips):
            subject, name = k % 26 + 1, f"EP{k:03d}_01f"
            folder = root / "CASME2_RAW_selected" / f"sub{subject:02d}" / name
            folder.mkdir(parents=True)
            for n in range(1, frames_per_clip + 1):
                cv2.imwrite(str(folder / f"img{n}.jpg"), pixels)
            sheet.append(
                [
                    subject,
                    name,
                    None,
                    2,
                    frames_per_clip // 2,
                    frames_per_clip - 1,
                    None,
                    "12",
                    emotions[k % 5],
                ]
            )
        book.save(root / "CASME2-coding-20140508.xlsx")
        session = session_factory(f"sqlite:///{Path(tmp) / 'catalog.sqlite'}")()
        t0 = time.perf_counter()
        report = ingest_dataset(session, root)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        ingest_dataset(session, root)
        again = time.perf_counter() - t0
        print(
            f"ingest CASME II layout: {report.n_clips} clips / {report.n_frames:,} frames in {first:.2f} s "
            f"({report.n_frames / first:,.0f} frames/s); idempotent re-ingest {again:.2f} s"
        )
        session.close()


def timed(fn, repeats: int) -> tuple[float, float, object]:  # noqa: ANN001
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clips", type=int, default=100_000)
    parser.add_argument("--frames-per-clip", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--ingest-clips", type=int, default=0, help="also time ingest of a CASME II layout")
    args = parser.parse_args()
    if args.ingest_clips:
        bench_ingest(args.ingest_clips, 50)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'catalog.sqlite'}"
        session = session_factory(url)()
        built = build(session, args.clips, args.frames_per_clip)
        rate = built["frames"] / built["frame_insert_s"]
        print(f"built {built['clips']:,} clips in {built['clip_insert_s']:.1f} s")
        print(f"built {built['frames']:,} frames in {built['frame_insert_s']:.1f} s ({rate:,.0f}/s)")
        session.close()
        session = session_factory(url)()  # a fresh connection, as the app would have
        flt = ClipFilter(dataset_ids=[built["dataset_id"]], labels=["negative"], min_majority=0.5)
        t0 = time.perf_counter()
        first = list_clips(session, flt, page=0, page_size=100)
        cold = (time.perf_counter() - t0) * 1000
        med, worst, page = timed(lambda: list_clips(session, flt, page=0, page_size=100), args.repeats)
        deep = min(50, first.n_pages - 1)
        med_deep, worst_deep, _ = timed(
            lambda: list_clips(session, flt, page=deep, page_size=100), args.repeats
        )
        flt_all = ClipFilter(labels=["positive", "surprise"], max_majority=0.7, min_annotators=2)
        med_all, worst_all, page_all = timed(
            lambda: list_clips(session, flt_all, page=0, page_size=100), args.repeats
        )
        med_stats, _, _ = timed(lambda: dataset_stats(session), 3)
        med_snap, _, _ = timed(lambda: catalog_snapshot(session), 3)
        assert len(first.rows) == min(100, first.total) and page.total == first.total
        print(f"filtered page (dataset + label + agreement ≥ 0.5, with total {page.total:,}):")
        print(
            f"  first call {cold:.1f} ms; page 0 median {med:.1f} ms (max {worst:.1f}); "
            f"page {deep} median {med_deep:.1f} ms (max {worst_deep:.1f})"
        )
        print(
            f"all datasets, 2 labels + agreement ≤ 0.7 + ≥ 2 annotators (total {page_all.total:,}): "
            f"median {med_all:.1f} ms (max {worst_all:.1f})"
        )
        print(f"dataset_stats {med_stats:.0f} ms; catalog_snapshot {med_snap:.0f} ms")
        print("target ≤ 300 ms:", "MET" if max(worst, worst_deep) <= 300 else "MISSED")
        session.close()


if __name__ == "__main__":
    main()
