"""The MEGC spotting log, line for line as the organisers' generator writes it.

Reference: HeyingGithub/Baseline-project-for-MEGC2020_spotting, ``MDMD_results/gen_MEGC2020_log_file.py``.
A block starts with the dataset's number on its own line (1 = SAMM Long Videos, 2 = CAS(ME)², the
organisers' numbering), then one line per outcome, video by video (``metrics.evaluate_spotting`` makes
the lines and orders them as the generator does: per video each type's lines in turn, then a stable sort
by the prediction's onset for TP/FP and the truth's onset for FN). A line is built with the generator's
own padding: ``<video>   <truth onset>`` padded with spaces to column 18, the truth offset to 26, the
prediction onset to 34, the prediction offset to 42, then TP / FP / FN; ``-`` stands for an absent side.
The video is written as the generator writes ``video[0].replace('s', '') + '_' + video[1]``: the part of
the name before its first ``_`` (the subject folder) loses its ``s`` characters (``s15_0101`` →
``15_0101``); a name without ``_`` is written as it is.
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import GlimpseError
from engine.ingest.names import name_problem
from engine.spotting.metrics import Outcome, SpotReport

MEGC_DATASETS = {1: "SAMM Long Videos", 2: "CAS(ME)²"}
COLUMNS = (18, 26, 34, 42)  # where the generator pads each next field to


def megc_dataset_number(dataset: str) -> int:
    """The organisers' number for a catalog dataset: 2 for a CAS(ME)² name, otherwise 1 (SAMM)."""
    return 2 if "cas" in dataset.lower() else 1


def log_video(video: str) -> str:
    folder, sep, code = video.partition("_")
    return f"{folder.replace('s', '')}_{code}" if sep else video


def log_line(o: Outcome) -> str:
    truth = [str(o.truth.onset), str(o.truth.offset)] if o.truth is not None else ["-", "-"]
    pred = [str(o.pred.onset), str(o.pred.offset)] if o.pred is not None else ["-", "-"]
    line = f"{log_video(o.video)}   {truth[0]}"
    for column, field in zip(COLUMNS, [truth[1], *pred, o.result], strict=True):
        line += " " * (column - len(line)) + field
    return line


def spotting_log_text(report: SpotReport, dataset_number: int = 1) -> str:
    if dataset_number not in MEGC_DATASETS:
        raise GlimpseError(
            f"MEGC dataset number {dataset_number} is not one of 1 (SAMM Long Videos) or 2 (CAS(ME)²)"
        )
    for video in dict.fromkeys(o.video for o in report.outcomes):
        problem = name_problem(video)  # ingest refuses such names; a hand-made CSV may still hold one
        if problem:
            raise GlimpseError(f"video name {video!r} {problem}, which the log's columns cannot hold")
    return "".join(line + "\n" for line in [str(dataset_number), *map(log_line, report.outcomes)])


def check_log_path(path: str | Path) -> Path:
    """Refuse a folder (or a path under a file) before anything is computed or written."""
    path = Path(path)
    if path.is_dir():
        raise GlimpseError("the log path is a folder; give a file name", where=str(path))
    if any(p.exists() and not p.is_dir() for p in path.parents):
        raise GlimpseError("the log's folder is a file", where=str(path))
    return path


def write_spotting_log(path: str | Path, report: SpotReport, dataset_number: int = 1) -> Path:
    """Written whole or not at all: a temp file renamed into place, removed if anything fails."""
    path = check_log_path(path)
    text = spotting_log_text(report, dataset_number)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise GlimpseError(f"cannot write the log: {error.strerror}", where=str(path)) from None
    return path
