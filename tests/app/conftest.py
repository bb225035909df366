"""A small seeded catalog for the workbench tests: drawn frames, annotations, runs, metrics, predictions,
an ablation and a trajectories.npz — the storage contract the other parts write to."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pytest
from sqlalchemy.orm import Session

from db.schema import Annotation, Artifact, Clip, Dataset, Frame, Metric, Prediction, Run, Subject
from db.session import session_scope
from engine.evaluate.comparison import VariantOutcome, compare_outcomes, write_comparison

FRAMES = list(range(100, 110))  # frame numbers of every synthetic clip
ONSET, APEX, OFFSET = 101, 104, 107
SYN_CLIPS = [
    ("sub01", "EP01_01", "positive", "happiness"),
    ("sub01", "EP01_02", "negative", "disgust"),
    ("sub02", "EP02_01", "negative", "repression"),
    ("sub02", "EP02_02", "surprise", "surprise"),
]
# (clip index, truth, predicted) of the seeded FULL run
PREDICTIONS = [
    (0, "positive", "positive"),
    (1, "negative", "positive"),
    (2, "negative", "negative"),
    (3, "surprise", "negative"),
]


@dataclass
class Seeded:
    home: Path
    url: str
    clip_ids: list[int] = field(default_factory=list)
    real_clip_id: int = 0
    run_id: str = "run-full-0"
    ablation_id: str = "abl-1"


def _face(number: int, size: int = 64) -> np.ndarray:
    """A drawn face whose mouth corners rise towards the apex (a visible 'smile' for the difference image)."""
    image = np.full((size, size, 3), 40, np.uint8)
    cv2.circle(image, (32, 32), 24, (180, 170, 160), -1)
    cv2.circle(image, (24, 26), 3, (30, 30, 30), -1)
    cv2.circle(image, (40, 26), 3, (30, 30, 30), -1)
    lift = max(0, 3 - abs(number - APEX)) * 2  # 0 at onset/offset, 6 px at apex
    cv2.line(image, (22, 44 - lift), (32, 46), (60, 40, 40), 2)
    cv2.line(image, (32, 46), (42, 44 - lift), (60, 40, 40), 2)
    return image


def _write_clip(root: Path, rel: str, numbers: list[int]) -> list[str]:
    folder = root / rel
    folder.mkdir(parents=True)
    marks = {}
    for n in numbers:
        cv2.imwrite(str(folder / f"img{n}.jpg"), cv2.cvtColor(_face(n), cv2.COLOR_RGB2BGR))
        points = [[8 + i % 48, 10 + (i * 7) % 44] for i in range(68)]
        marks[f"img{n}.jpg"] = {"box": [8, 8, 48, 48], "landmarks": points}
    (folder / "glimpse_landmarks.json").write_text(json.dumps({"format": "ibug68", "frames": marks}))
    return [f"{rel}/img{n}.jpg" for n in numbers]


def _clip(session: Session, ds: Dataset, subject: Subject, name: str, label: str, emotion: str) -> Clip:
    rel = f"{subject.code}/{name}"
    paths = _write_clip(Path(ds.root), rel, FRAMES)
    clip = Clip(
        dataset=ds,
        subject=subject,
        name=name,
        path=rel,
        fps=ds.fps,
        n_frames=len(FRAMES),
        first_frame=FRAMES[0],
        last_frame=FRAMES[-1],
        onset=ONSET,
        apex=APEX,
        offset=OFFSET,
        action_units="12",
        emotion_raw=emotion,
        label=label,
        n_annotators=1,
    )
    clip.frames = [
        Frame(index=i, number=n, path=p) for i, (n, p) in enumerate(zip(FRAMES, paths, strict=True))
    ]
    clip.annotations = [
        Annotation(
            annotator="source",
            onset=ONSET,
            apex=APEX,
            offset=OFFSET,
            action_units="12",
            emotion=emotion,
            label=label,
        )
    ]
    session.add(clip)
    return clip


def _metrics(run_id: str, uf1: float, uar: float, acc: float, class_f1: dict[str, float]) -> list[Metric]:
    rows = [
        Metric(run_id=run_id, scope="overall", name=n, value=v)
        for n, v in (("uf1", uf1), ("uar", uar), ("accuracy", acc))
    ]
    rows += [Metric(run_id=run_id, scope=f"class:{c}", name="f1", value=v) for c, v in class_f1.items()]
    return rows


def seed_catalog(home: Path, url: str) -> Seeded:
    seeded = Seeded(home=home, url=url)
    with session_scope(url) as s:
        syn = Dataset(
            name="synthetic-casme2",
            format="casme2",
            purpose="micro",
            root=str(home / "ds" / "syn"),
            fps=200.0,
            is_synthetic=True,
        )
        real = Dataset(
            name="lab-smic", format="smic", purpose="micro", root=str(home / "ds" / "real"), fps=100.0
        )
        s.add_all([syn, real])
        subjects = {code: Subject(dataset=syn, code=code) for code in ("sub01", "sub02")}
        clips = [_clip(s, syn, subjects[sub], name, label, emo) for sub, name, label, emo in SYN_CLIPS]
        real_clip = _clip(s, real, Subject(dataset=real, code="s1"), "s1_ne_01", "negative", "negative")
        s.flush()
        seeded.clip_ids = [c.id for c in clips]
        seeded.real_clip_id = real_clip.id

        run = Run(
            id=seeded.run_id,
            kind="loso",
            variant="full",
            name="full seed 0",
            status="succeeded",
            seed=0,
            dataset_names=["synthetic-casme2"],
            is_synthetic=True,
            wall_time_s=12.5,
        )
        s.add(run)
        s.add_all(_metrics(run.id, 0.5123, 0.6, 0.5, {"negative": 0.5, "positive": 0.667, "surprise": 0.0}))
        s.add_all(
            [
                Metric(run_id=run.id, scope="fold:sub01", name="uf1", value=0.7),
                Metric(run_id=run.id, scope="fold:sub02", name="uf1", value=0.3),
            ]
        )
        for i, truth, predicted in PREDICTIONS:
            fold = SYN_CLIPS[i][0]
            s.add(Prediction(run_id=run.id, clip_id=clips[i].id, fold=fold, truth=truth, predicted=predicted))

        parent = Run(
            id=seeded.ablation_id,
            kind="ablation",
            name="synthetic ablation",
            status="succeeded",
            is_synthetic=True,
            dataset_names=["synthetic-casme2"],
        )
        s.add(parent)
        uf1 = {"fir": (0.40, 0.44), "er": (0.45, 0.47), "mixt": (0.48, 0.50), "full": (0.55, 0.59)}
        for variant, values in uf1.items():
            for seed, value in enumerate(values):
                rid = f"abl-1-{variant}-{seed}"
                s.add(
                    Run(
                        id=rid,
                        parent_id=parent.id,
                        kind="loso",
                        variant=variant,
                        seed=seed,
                        status="succeeded",
                        is_synthetic=True,
                        dataset_names=["synthetic-casme2"],
                    )
                )
                s.add_all(
                    _metrics(
                        rid,
                        value,
                        value + 0.02,
                        value + 0.05,
                        {"negative": value + 0.1, "positive": value, "surprise": value - 0.1},
                    )
                )
                s.add(
                    Prediction(
                        run_id=rid, clip_id=clips[0].id, fold="sub01", truth="positive", predicted="positive"
                    )
                )

        abl_dir = home / "runs" / parent.id
        abl_dir.mkdir(parents=True)
        # the document the ablation writes when it ends, by the writer's own function
        outcomes = [
            VariantOutcome(f"abl-1-{v}-{seed}", v, seed, value, value + 0.02, value + 0.05, {"sub01": value})
            for seed in (0, 1)
            for v, values in uf1.items()
            for value in [values[seed]]
        ]
        write_comparison(abl_dir / "comparison.json", compare_outcomes(outcomes))
        s.add(Artifact(run_id=parent.id, kind="comparison", path=f"runs/{parent.id}/comparison.json"))

        rng = np.random.default_rng(0)
        run_dir = home / "runs" / run.id
        run_dir.mkdir(parents=True)
        t = np.arange(len(FRAMES), dtype=np.float32)
        bump = np.exp(-((t - (APEX - FRAMES[0])) ** 2) / 4.0)
        arrays = {}
        for cid in seeded.clip_ids:
            arrays[f"feat_{cid}"] = (
                bump[:, None] * rng.normal(size=(1, 8)) + 0.01 * rng.normal(size=(10, 8))
            ).astype(np.float32)
            arrays[f"scores_{cid}"] = np.stack([1 - bump, bump, np.zeros_like(bump)], axis=1).astype(
                np.float32
            )
            arrays[f"frames_{cid}"] = np.array(FRAMES)
        np.savez(run_dir / "trajectories.npz", **arrays)
        s.add(Artifact(run_id=run.id, kind="features", path=f"runs/{run.id}/trajectories.npz"))
    return seeded


@pytest.fixture()
def seeded(home: Path, db_url: str) -> Seeded:
    return seed_catalog(home, db_url)
