"""MEGC 2019 composite membership: official per-dataset class counts, exclusions, namespaced subjects."""

from __future__ import annotations

from pathlib import Path

from ingest_layouts import casme2, samm, smic
from sqlalchemy.orm import Session

from engine.ingest.base import ClipRecord
from engine.ingest.catalog import ingest_dataset
from engine.ingest.composite import OFFICIAL_COUNTS, composite_from_catalog, composite_members
from engine.ingest.labels import megc_label


def _records(
    fmt: str, emotions: list[tuple[str, int]], n_subjects: int, subject_fmt: str
) -> list[ClipRecord]:
    out = []
    k = 0
    for emotion, n in emotions:
        for _ in range(n):
            subject = subject_fmt.format(k % n_subjects + 1)
            out.append(
                ClipRecord(
                    subject, f"{emotion}_{k}", "", [], emotion_raw=emotion, label=megc_label(fmt, emotion)
                )
            )
            k += 1
    return out


def test_composite_reproduces_the_official_counts() -> None:
    casme = _records(
        "casme2",
        [
            ("happiness", 32),
            ("surprise", 25),
            ("disgust", 61),
            ("repression", 27),
            ("others", 99),
            ("fear", 2),
            ("sadness", 7),
        ],
        24,
        "sub{:02d}",
    )
    casme += [
        ClipRecord("sub04", "EP12_01f", "", [], emotion_raw="disgust", label="negative"),
        ClipRecord("sub05", "EP09_05f", "", [], emotion_raw="repression", label="negative"),
    ]
    smic_rows = [
        {"format": "smic", "subject": f"s{k % 16 + 1}", "name": f"c{k}", "label": label}
        for k, label in enumerate(["negative"] * 70 + ["positive"] * 51 + ["surprise"] * 43)
    ]
    samm = _records(
        "samm",
        [
            ("Anger", 57),
            ("Contempt", 12),
            ("Disgust", 9),
            ("Fear", 8),
            ("Sadness", 6),
            ("Happiness", 26),
            ("Surprise", 15),
            ("Other", 26),
        ],
        28,
        "{:03d}",
    )
    view = composite_members(casme, fmt="casme2")
    assert (
        view.class_counts["casme2"]
        == OFFICIAL_COUNTS["casme2"]
        == {"negative": 88, "positive": 32, "surprise": 25}
    )
    assert view.total == 145 and view.subjects["casme2"] == 24
    assert all(m.name not in ("EP12_01f", "EP09_05f") for m in view.members)
    assert composite_members(smic_rows).class_counts["smic"] == {
        "negative": 70,
        "positive": 51,
        "surprise": 43,
    }
    assert composite_members(samm, fmt="samm").class_counts["samm"] == {
        "negative": 92,
        "positive": 26,
        "surprise": 15,
    }
    merged = (
        composite_members(casme, fmt="casme2").members
        + composite_members(smic_rows).members
        + composite_members(samm, fmt="samm").members
    )
    assert len(merged) == 442
    assert len({m.subject for m in merged}) == 24 + 16 + 28 == 68
    labels = [m.label for m in merged]
    assert (labels.count("negative"), labels.count("positive"), labels.count("surprise")) == (250, 109, 83)
    assert merged[0].subject.startswith("casme2/sub")


def test_composite_from_catalog(session: Session, tmp_path: Path) -> None:
    casme2(
        tmp_path / "c2",
        [
            (4, "EP12_01f", 3, 4, 5, "4", "disgust"),
            (4, "EP13_01", 3, 4, 5, "12", "happiness"),
            (5, "EP01_01", 3, 4, 5, "", "others"),
        ],
    )
    smic(tmp_path / "smic", [("s1", "surprise", "s1_sur_01", 2)])
    samm(tmp_path / "samm", [("006", "006_1_2", 5, 6, 7, "", "Contempt")])
    ingest_dataset(session, tmp_path / "c2", name="C2")
    ingest_dataset(session, tmp_path / "smic", name="SMIC")
    ingest_dataset(session, tmp_path / "samm", name="SAMM")
    view = composite_from_catalog(session, ["C2", "SMIC", "SAMM"])
    assert sorted((m.subject, m.name, m.label) for m in view.members) == [
        ("casme2/sub04", "EP13_01", "positive"),
        ("samm/006", "006_1_2", "negative"),
        ("smic/s1", "s1_sur_01", "surprise"),
    ]
    assert view.totals_by_label() == {"negative": 1, "positive": 1, "surprise": 1}
