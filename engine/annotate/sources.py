"""Label sources: which coding of the clips a run learns from and is scored against.

A coding is a label source: ``source`` (the release's own coding, the default), ``consensus`` (the
reviewers' adjudicated coding, ``engine.annotate.review``), ``annotator:NAME`` (one coder's) or
``majority`` (the label most coders gave; a tie for first place is reported and the clip left out, never
broken by a rule a reader cannot see). A source decides a clip's class label AND the onset/apex/offset
stage 3 and the baselines read, so a coder who marks another span trains on that span.

Why here: resolving a source is pure work on codings (``FullCoding`` rows); the training side
(``engine.train.data``) turns the result into its clips and the facade re-scores runs with it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import median
from typing import Any

from sqlalchemy.orm import Session

from db.queries import annotations_for, annotations_of, annotations_on, labels_of_clips
from db.schema import SOURCE_ANNOTATOR
from engine.annotate.agreement import CONSENSUS
from engine.annotate.review import FullCoding
from engine.errors import GlimpseError

SOURCE = SOURCE_ANNOTATOR  # the release's own coding
MAJORITY = "majority"
ANNOTATOR_PREFIX = "annotator:"
DEFAULT_LABELS = SOURCE
# what each kind means (the Train page and `--labels` help show these)
LABEL_SOURCE_KINDS: dict[str, str] = {
    SOURCE: "the release's own coding",
    CONSENSUS: "the reviewers' adjudicated consensus",
    "annotator:NAME": "one coder's coding",
    MAJORITY: "the label most coders gave (ties left out)",
}


@dataclass(frozen=True)
class LabelSource:
    """A parsed label source: ``kind`` is source | consensus | annotator | majority."""

    kind: str
    annotator: str = ""

    @classmethod
    def parse(cls, text: str) -> LabelSource:
        """``source`` | ``consensus`` | ``majority`` | ``annotator:NAME``; anything else is refused."""
        spec = (text or "").strip()
        if spec in (SOURCE, CONSENSUS, MAJORITY):
            return cls(spec)
        if spec.startswith(ANNOTATOR_PREFIX):
            name = spec[len(ANNOTATOR_PREFIX) :].strip()
            if not name:
                raise GlimpseError(
                    "label source 'annotator:' names no annotator", hint="e.g. annotator:alice"
                )
            if name in (SOURCE, CONSENSUS):
                return cls(
                    name
                )  # annotator:source is the release's coding, annotator:consensus the consensus
            return cls("annotator", name)
        raise GlimpseError(
            f"unknown label source {text!r}",
            hint="use source, consensus, majority or annotator:NAME",
        )

    @property
    def spec(self) -> str:
        """The canonical text (what run configs record)."""
        return f"{ANNOTATOR_PREFIX}{self.annotator}" if self.kind == "annotator" else self.kind

    @property
    def is_release(self) -> bool:
        return self.kind == SOURCE

    def __str__(self) -> str:
        return self.spec


def config_labels(config: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The label source(s) a stored run config names; a config from before label sources existed has
    no ``labels`` key and means the release's coding."""
    value = (config or {}).get("labels") or [DEFAULT_LABELS]
    return tuple([value] if isinstance(value, str) else value)


def canonical(text: str) -> str:
    """The canonical spelling of a label source (refusing unknown ones)."""
    return LabelSource.parse(text).spec


@dataclass(frozen=True)
class ClipLabel:
    """One clip as a label source codes it: its class label and the span it marks (None = unknown)."""

    clip_id: int
    label: str
    onset: int | None
    apex: int | None
    offset: int | None


@dataclass(frozen=True)
class ResolvedLabels:
    """A source resolved over a set of codings: the clips it labels, and the majority ties left out."""

    source: str
    labels: dict[int, ClipLabel]
    ties: tuple[int, ...] = ()  # majority only: clips whose coders tie for first place
    annotators: tuple[str, ...] = ()  # whose codings it drew on


def _median(values: Sequence[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return int(round(median(known))) if known else None


def _is_coder(name: str) -> bool:
    return name not in (SOURCE, CONSENSUS)


def resolve(source: LabelSource, codings: Iterable[FullCoding], classes: Sequence[str]) -> ResolvedLabels:
    """The clips ``source`` labels with one of ``classes``, with its marks.

    ``source``/``consensus``/``annotator:NAME``: that annotator's rows. ``majority``: per clip, the label
    most coders (every annotator but ``source`` and ``consensus``) gave among ``classes``; a tie for first
    is left out and listed in ``ties``; the marks are the median of the coders who gave that label.
    """
    wanted = set(classes)
    if source.kind != MAJORITY:
        name = source.annotator if source.kind == "annotator" else source.kind
        rows = [c for c in codings if c.annotator == name and c.label in wanted]
        labels = {c.clip_id: ClipLabel(c.clip_id, str(c.label), c.onset, c.apex, c.offset) for c in rows}
        return ResolvedLabels(source.spec, labels, (), (name,) if rows else ())
    by_clip: dict[int, list[FullCoding]] = defaultdict(list)
    for coding in codings:
        if _is_coder(coding.annotator) and coding.label in wanted:
            by_clip[coding.clip_id].append(coding)
    out: dict[int, ClipLabel] = {}
    ties: list[int] = []
    for clip_id, rows in sorted(by_clip.items()):
        votes = Counter(str(r.label) for r in rows)
        ranked = votes.most_common()
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            ties.append(clip_id)
            continue
        label = ranked[0][0]
        agree = [r for r in rows if r.label == label]
        out[clip_id] = ClipLabel(
            clip_id,
            label,
            _median([r.onset for r in agree]),
            _median([r.apex for r in agree]),
            _median([r.offset for r in agree]),
        )
    coders = tuple(sorted({r.annotator for rows in by_clip.values() for r in rows}))
    return ResolvedLabels(source.spec, out, tuple(ties), coders)


def annotator_missing(source: LabelSource, known: Iterable[str]) -> str | None:
    """A sentence when ``source`` names a coding no one made (None when it exists)."""
    names = set(known)
    if source.kind == "annotator" and source.annotator not in names:
        return f"no annotator {source.annotator!r} has coded any clip"
    if source.kind == CONSENSUS and CONSENSUS not in names:
        return "no consensus has been saved yet (Review page)"
    if source.kind == MAJORITY and not any(_is_coder(n) for n in names):
        return "no coder has coded any clip, so there is no majority"
    return None


def coded_truth(
    session: Session, clip_ids: Sequence[int], labels: str, classes: Sequence[str]
) -> ResolvedLabels:
    """What the label source ``labels`` says each of these clips is (the clips it does not label, or
    labels outside ``classes``, are absent): the truth a run's stored predictions are re-scored against."""
    source = LabelSource.parse(labels)
    if source.is_release:
        wanted = set(classes)
        release = labels_of_clips(session, clip_ids)
        found = {
            cid: ClipLabel(cid, str(lab), None, None, None) for cid, lab in release.items() if lab in wanted
        }
        return ResolvedLabels(source.spec, found, (), (SOURCE,))
    rows = annotations_on(session, clip_ids)
    codings = [_full(a) for a in rows]
    absent = annotator_missing(source, {c.annotator for c in codings})
    if absent:
        raise GlimpseError(f"label source {source.spec!r} does not exist on these clips: {absent}")
    return resolve(source, codings, classes)


def _full(a: Any) -> FullCoding:
    return FullCoding(
        a.clip_id, a.annotator, a.onset, a.apex, a.offset, a.emotion or "", a.label, a.action_units or ""
    )


def catalog_codings(
    session: Session, datasets: Sequence[str] = (), clip_id: int | None = None
) -> list[FullCoding]:
    """Every annotation of the named datasets (all datasets when none; one clip with ``clip_id``) as
    ``FullCoding`` rows: the one conversion from catalog rows the review and the label sources share."""
    if clip_id is not None:
        rows = annotations_for(session, int(clip_id))
    elif datasets:
        rows = [a for name in datasets for a in annotations_of(session, name)]
    else:
        rows = annotations_of(session)
    return [_full(a) for a in rows]
