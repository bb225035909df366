"""Review and adjudication: which clips the annotators disagree on most, and the ``consensus`` coding a
reviewer makes from them (adopting one coding, or merging them).

Why rank: a reviewer's time goes to the worst clips first. A clip's disagreement is read off its
codings pairwise: different labels first, then the worst onset–offset IoU, then the largest apex
distance. A merge takes the median of each mark (robust to one outlying coder) and the majority emotion;
who merged or adopted what, and when, goes into the consensus row's provenance note.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import combinations
from statistics import median

from engine.annotate.agreement import CONSENSUS, Coding, coding_apex_distance, coding_iou
from engine.errors import GlimpseError


@dataclass(frozen=True)
class FullCoding:
    """A coding as the reviewer sees it (with the emotion and AUs that a consensus must carry over)."""

    clip_id: int
    annotator: str
    onset: int | None
    apex: int | None
    offset: int | None
    emotion: str
    label: str | None
    action_units: str = ""

    def as_coding(self) -> Coding:
        return Coding(self.clip_id, self.annotator, self.label, self.onset, self.apex, self.offset)


@dataclass(frozen=True)
class Disagreement:
    clip_id: int
    annotators: tuple[str, ...]
    labels: tuple[str, ...]  # distinct labels given
    label_disagrees: bool
    min_iou: float | None  # worst pairwise onset–offset IoU
    max_apex_distance: int | None  # worst pairwise apex distance (frames)
    has_consensus: bool

    def rank_key(self) -> tuple[int, float, int]:
        """Sort key, worst first (use with ``sorted(..., key=..., reverse=True)``)."""
        return (
            int(self.label_disagrees),
            1.0 - (self.min_iou if self.min_iou is not None else 1.0),
            self.max_apex_distance or 0,
        )


@dataclass(frozen=True)
class Consensus:
    onset: int | None
    apex: int | None
    offset: int | None
    emotion: str
    action_units: str
    provenance: str


def _pairs(codings: Sequence[Coding]) -> tuple[float | None, int | None]:
    pairs = list(combinations(codings, 2))
    ious = [iou for a, b in pairs if (iou := coding_iou(a, b)) is not None]
    apexes = [d for a, b in pairs if (d := coding_apex_distance(a, b)) is not None]
    return (min(ious) if ious else None), (max(apexes) if apexes else None)


def disagreements(codings: Iterable[FullCoding], min_annotators: int = 2) -> list[Disagreement]:
    """Clips coded by at least ``min_annotators`` (the consensus not counted), worst first."""
    by_clip: dict[int, list[FullCoding]] = defaultdict(list)
    for coding in codings:
        by_clip[coding.clip_id].append(coding)
    out = []
    for clip_id, rows in by_clip.items():
        coders = [r for r in rows if r.annotator != CONSENSUS]
        if len(coders) < min_annotators:
            continue
        labels = tuple(sorted({r.label for r in coders if r.label}))
        min_iou, max_apex = _pairs([r.as_coding() for r in coders])
        out.append(
            Disagreement(
                clip_id=clip_id,
                annotators=tuple(sorted(r.annotator for r in coders)),
                labels=labels,
                label_disagrees=len(labels) > 1,
                min_iou=min_iou,
                max_apex_distance=max_apex,
                has_consensus=any(r.annotator == CONSENSUS for r in rows),
            )
        )
    return sorted(out, key=lambda d: (d.rank_key(), -d.clip_id), reverse=True)


def _stamp(reviewer: str, now: datetime | None) -> str:
    reviewer = reviewer.strip()
    if not reviewer:
        raise GlimpseError("the reviewer's name is empty", hint="type your name in the Annotator field")
    when = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    return f"by {reviewer} at {when}"


def adopt(coding: FullCoding, reviewer: str, now: datetime | None = None) -> Consensus:
    """The consensus is one annotator's coding as it stands."""
    if coding.annotator == CONSENSUS:
        raise GlimpseError("pick an annotator's coding to adopt, not the consensus itself")
    return Consensus(
        coding.onset,
        coding.apex,
        coding.offset,
        coding.emotion,
        coding.action_units,
        f"adopted {coding.annotator}'s coding {_stamp(reviewer, now)}",
    )


def _median(values: list[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return int(round(median(known))) if known else None


def merge(codings: Sequence[FullCoding], reviewer: str, now: datetime | None = None) -> Consensus:
    """Median of each mark, majority emotion (ties: the first coder's, by name), union-majority AUs."""
    coders = sorted((c for c in codings if c.annotator != CONSENSUS), key=lambda c: c.annotator)
    if len(coders) < 2:
        raise GlimpseError("merging needs at least two annotators' codings", hint="adopt the one coding")
    onset = _median([c.onset for c in coders])
    apex = _median([c.apex for c in coders])
    offset = _median([c.offset for c in coders])
    if onset is not None and offset is not None and apex is not None:
        apex = min(max(apex, onset), offset)
    emotions = Counter(c.emotion for c in coders if c.emotion)
    emotion = max(emotions, key=lambda e: (emotions[e], -[c.emotion for c in coders].index(e)), default="")
    au_votes = Counter(au for c in coders for au in {a for a in c.action_units.split("+") if a})
    aus = "+".join(sorted((au for au, n in au_votes.items() if n * 2 > len(coders)), key=_au_order))
    names = ", ".join(c.annotator for c in coders)
    return Consensus(
        onset,
        apex,
        offset,
        emotion,
        aus,
        f"merged {names} (median marks, majority emotion) {_stamp(reviewer, now)}",
    )


def _au_order(au: str) -> tuple[int, str]:
    digits = "".join(ch for ch in au if ch.isdigit())
    return (int(digits) if digits else 0, au)
