"""The MEGC spotting log: per video, every prediction and truth with its outcome (TP / FP / FN).

MEGC 2019–2021 asked spotting entries for their TP/FP/FN counts per video and pooled; the exact public
log template could not be verified offline, so Glimpse writes this documented layout (space-separated;
``-`` where a side is absent):

    video <video>                                               one header per video
    <TP|FP|FN> <pred_onset> <pred_offset> <truth_onset> <truth_offset> <type> <iou>
    total <tp> <fp> <fn> <precision> <recall> <f1>              last line: the pooled counts

A log reads back into the same outcomes (``read_spotting_log``), so counts can be re-checked from it.
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import GlimpseError
from engine.ingest.names import name_problem
from engine.spotting.intervals import Interval
from engine.spotting.metrics import Outcome, SpotReport


def _side(i: Interval | None) -> str:
    return "- -" if i is None else f"{i.onset} {i.offset}"


def spotting_log_text(report: SpotReport) -> str:
    lines: list[str] = []
    video = None
    for o in report.outcomes:
        problem = name_problem(o.video)  # ingest refuses such names; a hand-made report may still hold one
        if problem:
            raise GlimpseError(f"video name {o.video!r} {problem}, which the log cannot hold")
        if o.video != video:
            video = o.video
            lines.append(f"video {video}")
        kind = (o.truth.type if o.truth is not None else "") or (o.pred.type if o.pred else "") or "-"
        lines.append(f"{o.result} {_side(o.pred)} {_side(o.truth)} {kind} {o.iou:.4f}")
    c = report.overall
    lines.append(f"total {c.tp} {c.fp} {c.fn} {c.precision:.4f} {c.recall:.4f} {c.f1:.4f}")
    return "\n".join(lines) + "\n"


def write_spotting_log(path: str | Path, report: SpotReport) -> Path:
    """Written whole or not at all (temp file + rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(spotting_log_text(report), encoding="utf-8")
    tmp.replace(path)
    return path


def _interval(video: str, onset: str, offset: str, kind: str) -> Interval | None:
    if onset == "-":
        return None
    return Interval(video, int(onset), int(offset), "" if kind == "-" else kind)


def read_spotting_log(path: str | Path) -> list[Outcome]:
    """The outcomes a log lists; a malformed line raises GlimpseError naming file and line."""
    path = Path(path)
    if not path.is_file():
        raise GlimpseError("spotting log not found", where=str(path))
    out: list[Outcome] = []
    video: str | None = None
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        parts = raw.split()
        where = f"{path}:{n}"
        if not parts or parts[0] == "total":
            continue
        if parts[0] == "video" and len(parts) == 2:
            video = parts[1]
            continue
        if parts[0] not in ("TP", "FP", "FN") or len(parts) != 7:
            raise GlimpseError(
                "expected 'video NAME' or 'TP|FP|FN p_on p_off t_on t_off type iou'", where=where
            )
        if video is None:
            raise GlimpseError("outcome line before any 'video NAME' line", where=where)
        try:
            pred = _interval(video, parts[1], parts[2], parts[5])
            truth = _interval(video, parts[3], parts[4], parts[5])
            out.append(Outcome(video, parts[0], pred, truth, float(parts[6])))
        except ValueError as error:
            raise GlimpseError(f"bad number: {error}", where=where) from None
    return out
