"""FACS-grade agreement between coders, per coder pair and over all coders: the table Review shows and
exports as CSV.

The statistics, each reported with the number of clips behind it:

- **AU agreement ratio** (CASME II's reliability, after Ekman & Friesen's FACS agreement ratio):
  2·Σ|AU(C1) ∩ AU(C2)| / Σ(|AU(C1)| + |AU(C2)|), pooled over the clips both coders coded — AU numbers
  only (side and intensity are scored apart; ``engine.labels.action_unit_numbers``). A clip where
  *both* coders mark no AU adds 0/0: it is left out of the ratio and of its clip count (the note says
  how many), because it says nothing about whether two coders see the same AUs.
- **Cohen's κ per AU**: presence/absence of one AU over the clips both coded (a clip with no AU is an
  "absent" for every AU and counts). Undefined (not 1.0) where both coders marked the AU on every
  clip: chance agreement is then 1. Overall = Light's κ, the mean of the pairs' κ.
- **onset / apex / offset within ±N frames**: the share of clips where the two marks differ by at most
  N. N is the user's; by default ±25 ms at each clip's frame rate, at least 1 frame
  (``default_tolerance``: 5 frames at 200 fps, 3 at 100 fps, 1 at 30 fps).
- **Krippendorff's α for labels** (nominal; the MEGC class), over clips with ≥ 2 labels.

Overall rows pool every pair's comparisons (the ratio and the timing shares) or use every coder at once
(α). A statistic over fewer clips than ``MIN_CLIPS`` names is not computed: it reads "n/a — 1 clip",
as Compare's "n/a — one seed". Chance-corrected coefficients need two clips (chance agreement is
estimated from the coders' marginals, which one clip cannot give); a ratio or share of one clip is
honest as long as its count is shown beside it.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from itertools import combinations
from pathlib import Path

from engine.annotate.agreement import CONSENSUS, Coding, cohen_kappa, krippendorff_alpha
from engine.errors import GlimpseError
from engine.labels import action_unit_numbers

AU_RATIO = "AU agreement ratio"
AU_KAPPA = "Cohen's κ"  # the statistic's name is followed by the AU ("Cohen's κ AU12")
WITHIN = "within ±N"  # "onset within ±N", "apex …", "offset …"
ALPHA = "Krippendorff's α (labels)"
MARKS = ("onset", "apex", "offset")
# The fewest clips each statistic is shown over (below it: "n/a — k clips").
MIN_CLIPS = {AU_RATIO: 1, AU_KAPPA: 2, WITHIN: 1, ALPHA: 2}
TOLERANCE_S = 0.025  # the default timing tolerance: ±25 ms (5 % of the 500 ms ME ceiling)
ALL_CODERS = "all coders"
CSV_COLUMNS = ("coders", "statistic", "value", "shown", "clips", "min_clips", "note")


@dataclass(frozen=True)
class Statistic:
    """One cell of the agreement table: a statistic of a coder pair (or of all coders)."""

    coders: str  # "alice · bob" or "all coders"
    statistic: str
    value: float | None  # None: not shown (too few clips, or undefined)
    shown: str  # what the page prints: "0.846", "n/a — 1 clip", "undefined — …"
    clips: int
    min_clips: int
    note: str = ""


@dataclass(frozen=True)
class FacsAgreement:
    coders: tuple[str, ...]
    tolerance: str  # how the timing tolerance was set, in words
    rows: tuple[Statistic, ...]

    def row(self, coders: str, statistic: str) -> Statistic:
        """The one row of ``coders`` (``"a · b"`` or ``ALL_CODERS``) and ``statistic``."""
        for row in self.rows:
            if (row.coders, row.statistic) == (coders, statistic):
                return row
        raise GlimpseError(f"no {statistic!r} for {coders!r} in the agreement table")


def default_tolerance(fps: float) -> int:
    """±25 ms in frames at ``fps``, rounded half up, at least 1 (200 fps → 5, 100 → 3, 30 → 1)."""
    return max(1, math.floor(fps * TOLERANCE_S + 0.5))


def pair_name(a: str, b: str) -> str:
    return f"{a} · {b}"


def _clips(n: int) -> str:
    return f"{n} clip" if n == 1 else f"{n} clips"


def _stat(
    coders: str,
    statistic: str,
    kind: str,
    clips: int,
    compute: Callable[[], float | None] | None,
    note: str = "",
    why: str = "",
) -> Statistic:
    """A row; ``compute`` (a callable giving the value or None = undefined) runs only over enough clips."""
    need = MIN_CLIPS[kind]
    if clips < need:
        return Statistic(coders, statistic, None, f"n/a — {_clips(clips)}", clips, need, note)
    value = compute() if compute is not None else None
    shown = f"{value:.3f}" if value is not None else f"undefined — {why}"
    return Statistic(coders, statistic, value, shown, clips, need, note)


def _given(value: float | None) -> Callable[[], float | None]:
    """A value already computed, in ``_stat``'s lazy form."""
    return lambda: value


def _au_ratio(coders: str, pairs: Sequence[tuple[Coding, Coding]]) -> Statistic:
    terms = []
    empty = 0
    for a, b in pairs:
        aus_a, aus_b = action_unit_numbers(a.action_units), action_unit_numbers(b.action_units)
        if aus_a or aus_b:
            terms.append((a.clip_id, len(aus_a & aus_b), len(aus_a) + len(aus_b)))
        else:
            empty += 1
    note = f"{_clips(empty)} where neither marked an AU left out (0/0)" if empty else ""
    clips = len({clip for clip, _, _ in terms})
    return _stat(
        coders,
        AU_RATIO,
        AU_RATIO,
        clips,
        lambda: 2 * sum(t[1] for t in terms) / sum(t[2] for t in terms),
        note,
    )


def _pair_au_kappas(pairs: Sequence[tuple[Coding, Coding]]) -> dict[int, tuple[float | None, int]]:
    """Per AU seen in the pair's shared clips: (κ or None when undefined, clips)."""
    sets = [(action_unit_numbers(a.action_units), action_unit_numbers(b.action_units)) for a, b in pairs]
    seen = sorted({au for x, y in sets for au in x | y})
    out: dict[int, tuple[float | None, int]] = {}
    for au in seen:
        marks_a, marks_b = [au in x for x, _ in sets], [au in y for _, y in sets]
        enough = len(sets) >= MIN_CLIPS[AU_KAPPA]
        out[au] = (cohen_kappa(marks_a, marks_b) if enough else None, len(sets))
    return out


UNDEFINED_KAPPA = "both marked it on every clip (chance agreement 1)"


def _kappa_rows(coders: str, pairs: Sequence[tuple[Coding, Coding]]) -> list[Statistic]:
    return [
        _stat(coders, f"{AU_KAPPA} AU{au}", AU_KAPPA, clips, _given(kappa), why=UNDEFINED_KAPPA)
        for au, (kappa, clips) in _pair_au_kappas(pairs).items()
    ]


def _light_kappa_rows(by_pair: dict[tuple[str, str], list[tuple[Coding, Coding]]]) -> list[Statistic]:
    """Overall per-AU κ: the mean of the pairs' κ (Light, 1971) where a pair has one."""
    kappas: dict[int, list[float]] = defaultdict(list)
    clips: dict[int, set[int]] = defaultdict(set)
    for pairs in by_pair.values():
        for au, (kappa, _) in _pair_au_kappas(pairs).items():
            clips[au].update(a.clip_id for a, _ in pairs)
            if kappa is not None:
                kappas[au].append(kappa)
    rows = []
    for au in sorted(clips):
        values = kappas.get(au, [])
        note = f"mean of {len(values)} pair(s)' κ (Light's κ)"
        mean = sum(values) / len(values) if values else None
        why = "no pair has a κ to average"
        rows.append(
            _stat(ALL_CODERS, f"{AU_KAPPA} AU{au}", AU_KAPPA, len(clips[au]), _given(mean), note, why)
        )
    return rows


def _within_rows(
    coders: str, pairs: Sequence[tuple[Coding, Coding]], tolerance_frames: int | None
) -> list[Statistic]:
    rows = []
    for mark in MARKS:
        hits: list[tuple[int, bool]] = []
        no_rate = 0
        for a, b in pairs:
            mark_a, mark_b = getattr(a, mark), getattr(b, mark)
            if mark_a is None or mark_b is None:
                continue
            tolerance = tolerance_frames
            if tolerance is None:
                if not a.fps:
                    no_rate += 1
                    continue
                tolerance = default_tolerance(a.fps)
            hits.append((a.clip_id, abs(mark_a - mark_b) <= tolerance))
        note = f"{_clips(no_rate)} without a frame rate left out: set N" if no_rate else ""
        n = len({clip for clip, _ in hits})
        share = (lambda h=hits: sum(ok for _, ok in h) / len(h)) if hits else None
        rows.append(_stat(coders, f"{mark} {WITHIN}", WITHIN, n, share, note))
    return rows


def _alpha_row(coders: str, labels_by_clip: Sequence[Sequence[str | None]]) -> Statistic:
    units = [[label for label in clip if label] for clip in labels_by_clip]
    units = [unit for unit in units if len(unit) >= 2]
    why = "one label on every clip (no expected disagreement)"
    return _stat(coders, ALPHA, ALPHA, len(units), lambda: krippendorff_alpha(units), why=why)


def facs_agreement(
    codings: Iterable[Coding], coders: Sequence[str] | None = None, tolerance_frames: int | None = None
) -> FacsAgreement:
    """The agreement table of ``coders`` (default: every annotator but the consensus) over ``codings``.

    ``tolerance_frames`` is N of "within ±N frames"; None derives it from each clip's frame rate
    (``default_tolerance``). Pairs are the coders' pairs in name order; the overall rows follow them.
    """
    if tolerance_frames is not None and tolerance_frames < 0:
        raise GlimpseError(f"the timing tolerance {tolerance_frames} is negative", hint="N is frames, ≥ 0")
    by_clip: dict[int, dict[str, Coding]] = defaultdict(dict)
    for coding in codings:
        if coding.annotator != CONSENSUS:
            by_clip[coding.clip_id][coding.annotator] = coding
    names = (
        sorted({n for coded in by_clip.values() for n in coded}) if coders is None else sorted(set(coders))
    )
    if CONSENSUS in names:
        raise GlimpseError(
            "the consensus is not a coder", hint="pick the annotators whose agreement you want"
        )
    if len(names) < 2:
        raise GlimpseError(f"agreement needs two or more coders, got {len(names)}", hint="pick two or more")
    by_pair = {
        (a, b): [(coded[a], coded[b]) for _, coded in sorted(by_clip.items()) if a in coded and b in coded]
        for a, b in combinations(names, 2)
    }
    rows: list[Statistic] = []
    for (a, b), pairs in by_pair.items():
        who = pair_name(a, b)
        rows.append(_au_ratio(who, pairs))
        rows += _kappa_rows(who, pairs)
        rows += _within_rows(who, pairs, tolerance_frames)
        rows.append(_alpha_row(who, [[x.label, y.label] for x, y in pairs]))
    pooled = [pair for pairs in by_pair.values() for pair in pairs]
    rows.append(_au_ratio(ALL_CODERS, pooled))
    rows += _light_kappa_rows(by_pair)
    rows += _within_rows(ALL_CODERS, pooled, tolerance_frames)
    rows.append(
        _alpha_row(
            ALL_CODERS, [[c.label for n, c in coded.items() if n in names] for coded in by_clip.values()]
        )
    )
    tolerance = (
        f"±{tolerance_frames} frames"
        if tolerance_frames is not None
        else f"±{TOLERANCE_S * 1000:.0f} ms at each clip's frame rate (at least 1 frame)"
    )
    return FacsAgreement(tuple(names), tolerance, tuple(rows))


def agreement_csv(report: FacsAgreement) -> str:
    """The table as CSV (one row per coder pair × statistic; ``value`` empty where not shown)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in report.rows:
        cells = {f.name: getattr(row, f.name) for f in fields(row)}
        cells["value"] = "" if row.value is None else repr(row.value)
        writer.writerow([cells[c] for c in CSV_COLUMNS])
    return out.getvalue()


def write_agreement_csv(report: FacsAgreement, path: Path) -> Path:
    """Write ``agreement_csv`` to ``path`` whole or not at all (a temporary file renamed over it)."""
    path = Path(path)
    if not path.parent.is_dir():
        raise GlimpseError(
            f"cannot write {path}: folder {path.parent} does not exist", hint="create it first"
        )
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(agreement_csv(report), encoding="utf-8")
    partial.replace(path)
    return path
