"""Spot → code → recognise: intervals accepted from a spotting run become short clips that coders code
and recognition trains and is scored on (``--labels`` applies to them as to any clip).

Each accepted interval of a recording becomes one clip of the dataset ``<dataset>-spotted`` (created
once, same format, root and fps; the recording's subject): its frames are the recording's frames from
onset to offset (same files, nothing copied), its marks the interval's. Its release (``source``) coding
is the recording's own coded interval it hits under the MEGC rule (IoU ≥ ½), when there is one — so a
spotted clip that found a coded micro-expression carries that expression's label, and one that found
nothing is unlabelled until a coder codes it. Promoting again adds only intervals not yet promoted.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from db.queries import (
    clip_frames,
    find_clip,
    find_dataset,
    find_subject,
    intervals_accepted_from,
    intervals_for,
    refresh_majority_share,
)
from db.schema import SOURCE_ANNOTATOR, Annotation, Clip, Dataset, Frame, Subject
from db.schema import Interval as IntervalRow
from engine.errors import GlimpseError
from engine.spotting.intervals import Interval
from engine.spotting.metrics import iou, is_hit

SPOTTED_SUFFIX = "-spotted"


@dataclass(frozen=True)
class SpottedClips:
    """What promoting a spotting run's accepted intervals did."""

    dataset: str  # the ``<dataset>-spotted`` dataset the clips are in
    clip_ids: tuple[int, ...]  # every clip of this run's accepted intervals, new or already there
    added: int
    matched: int  # of the added, how many hit a coded interval (and carry its label as ``source``)


def _derived_dataset(session: Session, dataset: Dataset) -> Dataset:
    name = f"{dataset.name}{SPOTTED_SUFFIX}"
    found = find_dataset(session, name)
    if found is not None:
        return found
    derived = Dataset(
        name=name,
        format=dataset.format,
        purpose="micro",
        root=dataset.root,
        fps=dataset.fps,
        is_synthetic=dataset.is_synthetic,
        description=f"intervals accepted from spotting runs on {dataset.name}, as clips",
        meta={"derived_from": dataset.name, "spotted": True},
    )
    session.add(derived)
    session.flush()
    return derived


def _subject(session: Session, dataset: Dataset, code: str) -> Subject:
    found = find_subject(session, dataset.id, code)
    if found is None:
        found = Subject(dataset_id=dataset.id, code=code)
        session.add(found)
        session.flush()
    return found


def _as_interval(row: IntervalRow, video: str) -> Interval:
    return Interval(video, row.onset, row.offset, row.type, apex=row.apex, label=row.label or "")


def _truth_hit(session: Session, row: IntervalRow, video: str) -> IntervalRow | None:
    """The recording's coded interval of the same type this one hits best (IoU ≥ ½), if any."""
    spotted = _as_interval(row, video)
    hits = [
        t
        for t in intervals_for(session, row.clip_id, SOURCE_ANNOTATOR)
        if t.type == row.type and is_hit(spotted, _as_interval(t, video))
    ]
    return max(hits, key=lambda t: (iou(spotted, _as_interval(t, video)), -t.id), default=None)


def promote_spotted(session: Session, spot_run_id: str) -> SpottedClips:
    """Every interval accepted from ``spot_run_id`` as a clip of ``<dataset>-spotted`` (flushes, does
    not commit: the caller's transaction makes it all or nothing)."""
    accepted = intervals_accepted_from(session, spot_run_id)
    if not accepted:
        raise GlimpseError(
            f"no interval was accepted from spotting run {spot_run_id}",
            hint="accept predicted intervals on the Spotting page first",
        )
    ids: list[int] = []
    added = matched = 0
    for row in accepted:
        recording = session.get_one(Clip, row.clip_id)
        derived = _derived_dataset(session, recording.dataset)
        subject = _subject(session, derived, recording.subject.code)
        name = f"{recording.name}_{row.onset}-{row.offset}_{row.type}"
        existing = find_clip(session, derived.id, subject.id, name)
        if existing is not None:
            ids.append(existing.id)
            continue
        frames = [f for f in clip_frames(session, recording.id) if row.onset <= f.number <= row.offset]
        truth = _truth_hit(session, row, recording.name)
        clip = Clip(
            dataset_id=derived.id,
            subject_id=subject.id,
            name=name,
            path=recording.path,
            kind="micro" if row.type == "micro" else "macro",
            fps=recording.fps,
            n_frames=len(frames),
            first_frame=row.onset,
            last_frame=row.offset,
            onset=row.onset,
            apex=row.apex,
            offset=row.offset,
            action_units=truth.aus if truth else "",
            emotion_raw=(truth.emotion or "") if truth else "",
            label=truth.label if truth else None,
            meta={
                "spot_run": spot_run_id,
                "interval_id": row.id,
                "recording_clip_id": recording.id,
                "accepted_by": row.annotator,
                "truth_interval_id": truth.id if truth else None,
            },
        )
        session.add(clip)
        session.flush()
        session.add_all(
            Frame(clip_id=clip.id, index=i, number=f.number, path=f.path) for i, f in enumerate(frames)
        )
        if truth is not None:
            session.add(
                Annotation(
                    clip_id=clip.id,
                    annotator=SOURCE_ANNOTATOR,
                    onset=row.onset,
                    apex=row.apex,
                    offset=row.offset,
                    action_units=truth.aus or "",
                    emotion=truth.emotion or "",
                    label=truth.label,
                    notes=f"the coded interval {truth.name or truth.id} this spot hits (IoU ≥ 0.5)",
                )
            )
            matched += 1
        session.flush()
        refresh_majority_share(session, clip)
        ids.append(clip.id)
        added += 1
    names = {session.get_one(Clip, i).dataset.name for i in ids}
    return SpottedClips(", ".join(sorted(names)), tuple(ids), added, matched)
