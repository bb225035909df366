"""Review and adjudication: which clips the annotators disagree on most, and the ``consensus`` coding a
reviewer makes from them (adopting one coding, or merging them).

Why rank: a reviewer's time goes to the worst clips first. A clip's disagreement is read off its
codings pairwise: different labels first, then the worst onset–offset IoU, then the largest apex
distance. A merge takes the median of each mark (robust to one outlying coder) and the majority emotion.
The adjudicator is recorded (the decision's ``adjudicator``, the row's ``updated_by`` and provenance);
the release's own coding (annotator ``source``) is never merged or adopted unless the reviewer asks
(``include_source``): a consensus of the coders must not silently lean on the coding they were checking.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import combinations
from statistics import median
from typing import Any

from db.schema import SOURCE_ANNOTATOR
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
    provenance: str  # the sentence saved as the consensus row's note
    adjudicator: str = ""
    method: str = ""  # "adopt" | "merge"
    coders: tuple[str, ...] = ()  # whose codings it was made from
    at: str = ""  # when, "YYYY-MM-DD HH:MM UTC"

    def record(self) -> dict[str, Any]:
        """The consensus row's structured provenance: who decided, how, from whom, when."""
        return {
            "kind": "consensus",
            "adjudicator": self.adjudicator,
            "method": self.method,
            "coders": list(self.coders),
            "includes_source": SOURCE_ANNOTATOR in self.coders,
            "at": self.at,
        }


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


def _adjudicator(adjudicator: str) -> str:
    name = adjudicator.strip()
    if not name:
        raise GlimpseError("the adjudicator's name is empty", hint="type your name in the Annotator field")
    return name


def _when(now: datetime | None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")


def adopt(
    coding: FullCoding, adjudicator: str, now: datetime | None = None, *, include_source: bool = False
) -> Consensus:
    """The consensus is one annotator's coding as it stands (the release's only with ``include_source``)."""
    if coding.annotator == CONSENSUS:
        raise GlimpseError("pick an annotator's coding to adopt, not the consensus itself")
    if coding.annotator == SOURCE_ANNOTATOR and not include_source:
        raise GlimpseError(
            "adopting the release's coding (source) was not asked for", hint="tick 'include source' first"
        )
    name, when = _adjudicator(adjudicator), _when(now)
    return Consensus(
        coding.onset,
        coding.apex,
        coding.offset,
        coding.emotion,
        coding.action_units,
        f"adopted {coding.annotator}'s coding by {name} at {when}",
        adjudicator=name,
        method="adopt",
        coders=(coding.annotator,),
        at=when,
    )


def _median(values: list[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return int(round(median(known))) if known else None


def merge(
    codings: Sequence[FullCoding],
    adjudicator: str,
    now: datetime | None = None,
    *,
    include_source: bool = False,
) -> Consensus:
    """Median of each mark, majority emotion (ties: the first coder's, by name), union-majority AUs.

    The coders are every annotator but the consensus and, unless ``include_source``, the release.
    """
    left_out = {CONSENSUS} if include_source else {CONSENSUS, SOURCE_ANNOTATOR}
    coders = sorted((c for c in codings if c.annotator not in left_out), key=lambda c: c.annotator)
    if len(coders) < 2:
        hint = "adopt the one coding" + ("" if include_source else ", or include source")
        raise GlimpseError(f"merging needs at least two coders' codings, got {len(coders)}", hint=hint)
    name, when = _adjudicator(adjudicator), _when(now)
    onset = _median([c.onset for c in coders])
    apex = _median([c.apex for c in coders])
    offset = _median([c.offset for c in coders])
    if onset is not None and offset is not None and apex is not None:
        apex = min(max(apex, onset), offset)
    emotions = Counter(c.emotion for c in coders if c.emotion)
    emotion = max(emotions, key=lambda e: (emotions[e], -[c.emotion for c in coders].index(e)), default="")
    au_votes = Counter(au for c in coders for au in {a for a in c.action_units.split("+") if a})
    aus = "+".join(sorted((au for au, n in au_votes.items() if n * 2 > len(coders)), key=_au_order))
    names = tuple(c.annotator for c in coders)
    return Consensus(
        onset,
        apex,
        offset,
        emotion,
        aus,
        f"merged {', '.join(names)} (median marks, majority emotion) by {name} at {when}",
        adjudicator=name,
        method="merge",
        coders=names,
        at=when,
    )


def _au_order(au: str) -> tuple[int, str]:
    digits = "".join(ch for ch in au if ch.isdigit())
    return (int(digits) if digits else 0, au)
