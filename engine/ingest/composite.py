"""The MEGC 2019 composite view: CASME II + SMIC-HS + SAMM, 3 classes, 442 clips / 68 subjects.

Membership = a clip of one of the three formats with a 3-class label (the per-dataset mappings of
``labels.py`` already exclude "others" and CASME II's fear/sadness), minus the two CASME II clips the
protocol drops. Subjects are namespaced by dataset (``casme2/sub01``) so LOSO never merges two people.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from db import queries
from db.schema import Clip
from engine.labels import LABELS_ME

COMPOSITE_FORMATS = ("casme2", "smic", "samm")
EXCLUDED = frozenset({("casme2", "sub04", "EP12_01f"), ("casme2", "sub05", "EP09_05f")})
# The official MEGC 2019 composite class counts (per dataset), for checks and the UI.
OFFICIAL_COUNTS = {
    "casme2": {"negative": 88, "positive": 32, "surprise": 25},
    "smic": {"negative": 70, "positive": 51, "surprise": 43},
    "samm": {"negative": 92, "positive": 26, "surprise": 15},
}
OFFICIAL_SUBJECTS = {"casme2": 24, "smic": 16, "samm": 28}


@dataclass(frozen=True)
class CompositeMember:
    dataset: str  # the format: casme2 | smic | samm
    subject: str  # namespaced: "casme2/sub01"
    name: str
    label: str
    clip: Any  # what was passed in (a Clip, a ClipRecord, a dict)


@dataclass
class CompositeView:
    members: list[CompositeMember]
    class_counts: dict[str, dict[str, int]] = field(default_factory=dict)  # dataset → label → count
    subjects: dict[str, int] = field(default_factory=dict)  # dataset → number of subjects

    @property
    def total(self) -> int:
        return len(self.members)

    @property
    def n_subjects(self) -> int:
        return len({m.subject for m in self.members})

    def totals_by_label(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for per in self.class_counts.values():
            counts.update(per)
        return dict(counts)


def composite_subject(fmt: str, subject: str) -> str:
    """A subject id unique across datasets, for LOSO over the composite."""
    return f"{fmt}/{subject}"


def _fields(item: Any, fmt: str | None) -> tuple[str | None, str, str, str | None]:
    if isinstance(item, dict):
        return (
            fmt or item.get("format") or item.get("dataset"),
            str(item["subject"]),
            str(item["name"]),
            item.get("label"),
        )
    if isinstance(item, Clip):
        return fmt or item.dataset.format, item.subject.code, item.name, item.label
    return fmt, str(item.subject), str(item.name), item.label  # ClipRecord: its format is given


def composite_members(clips: Iterable[Any], fmt: str | None = None) -> CompositeView:
    """Members of the MEGC 2019 composite among ``clips`` (Clips, dicts with format/subject/name/label,
    or ClipRecords with ``fmt``), with per-dataset class and subject counts."""
    members = []
    for item in clips:
        dataset, subject, name, label = _fields(item, fmt)
        if dataset not in COMPOSITE_FORMATS or label not in LABELS_ME or (dataset, subject, name) in EXCLUDED:
            continue
        members.append(CompositeMember(dataset, composite_subject(dataset, subject), name, label, item))
    counts: dict[str, dict[str, int]] = {}
    subjects: dict[str, set[str]] = {}
    for m in members:
        per = counts.setdefault(m.dataset, dict.fromkeys(LABELS_ME, 0))
        per[m.label] += 1
        subjects.setdefault(m.dataset, set()).add(m.subject)
    return CompositeView(members, counts, {k: len(v) for k, v in subjects.items()})


def composite_from_catalog(session: Session, dataset_names: Sequence[str]) -> CompositeView:
    """The composite over the named catalog datasets (one each of CASME II, SMIC, SAMM)."""
    return composite_members(queries.present_clips_with_subjects(session, dataset_names))
