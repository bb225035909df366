"""Result files other tools read: the MEGC 2019 log and a flat predictions CSV.

MEGC 2019 log, as Glimpse writes it (the challenge asked for one log per method listing, fold by fold,
each test clip with its ground truth and prediction; the exact public template could not be verified
offline, so this is the layout given in issue 3, documented here):

    <dataset> <subject>            one header line per LOSO fold (held-out subject)
    <file> <truth> <prediction>    one line per test clip of that fold

Fields are separated by one space, so names must not contain whitespace (checked on write). Folds
appear in first-seen order of the rows, clips in their given order, so a log round-trips exactly.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.errors import GlimpseError


@dataclass(frozen=True)
class LogRow:
    """One test clip of one fold."""

    dataset: str
    subject: str
    file: str
    truth: str
    prediction: str


def _as_rows(rows: Iterable[Sequence[str] | LogRow]) -> list[LogRow]:
    out = []
    for i, row in enumerate(rows):
        r = row if isinstance(row, LogRow) else LogRow(*[str(x) for x in row])
        for name in ("dataset", "subject", "file", "truth", "prediction"):
            value = getattr(r, name)
            if not value or any(ch.isspace() for ch in value):
                raise GlimpseError(
                    f"{name} {value!r} is empty or contains whitespace, which the MEGC log cannot hold",
                    where=f"row {i + 1}",
                    hint="rename the clip/subject without spaces",
                )
        out.append(r)
    return out


def megc_log_text(rows: Iterable[Sequence[str] | LogRow]) -> str:
    """The log's text: rows (dataset, subject, file, truth, prediction) grouped into folds."""
    folds: dict[tuple[str, str], list[LogRow]] = {}
    for r in _as_rows(rows):
        folds.setdefault((r.dataset, r.subject), []).append(r)
    lines = []
    for (dataset, subject), clips in folds.items():
        lines.append(f"{dataset} {subject}")
        lines.extend(f"{c.file} {c.truth} {c.prediction}" for c in clips)
    return "\n".join(lines) + ("\n" if lines else "")


def write_megc_log(path: str | Path, rows: Iterable[Sequence[str] | LogRow]) -> Path:
    """Write the MEGC 2019 log; the file appears whole or not at all (temp file + rename)."""
    path = Path(path)
    text = megc_log_text(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def read_megc_log(path: str | Path) -> list[LogRow]:
    """Parse a MEGC log back into rows; a malformed line raises GlimpseError naming file and line."""
    path = Path(path)
    if not path.is_file():
        raise GlimpseError("MEGC log not found", where=str(path))
    rows: list[LogRow] = []
    fold: tuple[str, str] | None = None
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        parts = raw.split()
        if not parts:
            continue
        if len(parts) == 2:
            fold = (parts[0], parts[1])
        elif len(parts) == 3:
            if fold is None:
                raise GlimpseError(
                    "clip line before any 'dataset subject' fold line", where=f"{path}:{lineno}"
                )
            rows.append(LogRow(fold[0], fold[1], *parts))
        else:
            raise GlimpseError(
                f"expected 2 fields (dataset subject) or 3 (file truth prediction), got {len(parts)}",
                where=f"{path}:{lineno}",
            )
    return rows


PREDICTION_COLUMNS = ("dataset", "subject", "file", "truth", "prediction")


def write_predictions_csv(
    path: str | Path, rows: Iterable[Sequence | dict], columns: Sequence[str] | None = None
) -> Path:
    """A flat CSV of per-clip predictions; dict rows may add columns (e.g. ``p_negative``)."""
    path = Path(path)
    rows = list(rows)
    if rows and isinstance(rows[0], dict):
        cols = list(columns or rows[0].keys())
        records = [[r.get(c, "") for c in cols] for r in rows if isinstance(r, dict)]
    else:
        cols = list(columns or PREDICTION_COLUMNS)
        records = [list(r) for r in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(cols)
        writer.writerows(records)
    tmp.replace(path)
    return path


def read_predictions_csv(path: str | Path) -> list[dict[str, str]]:
    """Rows of a predictions CSV as dicts (strings), for re-scoring or comparison."""
    path = Path(path)
    if not path.is_file():
        raise GlimpseError("predictions CSV not found", where=str(path))
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))
