"""Evaluation protocols: the MEGC 2019 composite (membership, per-dataset figures from the pooled
predictions) and cross-dataset (one fold, train and test datasets disjoint); config and CLI errors."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from db.schema import Clip, Dataset, Metric, Prediction, Run, Subject
from db.session import session_factory
from engine.cli import app
from engine.cli.train import _params
from engine.errors import GlimpseError
from engine.evaluate.metrics import compute_metrics
from engine.labels import LABELS_ME
from engine.train.ablation import run_variant
from engine.train.config import AblationConfig
from engine.train.data import protocol_clips
from engine.train.entry import run_from_params
from engine.train.loso import build_cross_dataset_fold, protocol_folds
from engine.variants.contract import ClipInfo

ME = "synthetic-casme2"
SMIC = "tiny-smic"  # sub01/sub02 of the drawn catalog, moved into a dataset of format "smic"


def _split_catalog(session: Session) -> None:
    """Move the drawn catalog's sub01 and sub02 (and their clips) into a second ME dataset of SMIC
    format, same folder on disk; sub04's first clip takes the name of an excluded CASME II clip."""
    casme = session.scalar(select(Dataset).where(Dataset.name == ME))
    smic = Dataset(name=SMIC, format="smic", purpose="micro", root=casme.root, fps=100.0, is_synthetic=True)
    session.add(smic)
    session.flush()
    for subject in session.scalars(select(Subject).where(Subject.dataset_id == casme.id)):
        if subject.code in ("sub01", "sub02"):
            subject.dataset_id = smic.id
            for clip in session.scalars(select(Clip).where(Clip.subject_id == subject.id)):
                clip.dataset_id = smic.id
        if subject.code == "sub04":
            clip = session.scalar(select(Clip).where(Clip.subject_id == subject.id, Clip.name == "EP00"))
            clip.name = "EP12_01f"  # ("casme2", "sub04", "EP12_01f") is in composite.EXCLUDED
    session.commit()


def _labelled(session: Session, name: str) -> set[int]:
    stmt = select(Clip.id).join(Dataset).where(Dataset.name == name, Clip.label.in_(LABELS_ME))
    return set(session.scalars(stmt))


def _excluded_id(session: Session) -> int:
    return session.scalar(select(Clip.id).where(Clip.name == "EP12_01f"))


def test_composite_drops_the_excluded_clip_and_reports_each_dataset(
    tiny_catalog: str, session: Session
) -> None:
    _split_catalog(session)
    excluded = _excluded_id(session)
    everything = _labelled(session, ME) | _labelled(session, SMIC)
    assert len(everything) == 12 and excluded in everything

    base = AblationConfig.tiny().to_dict()
    loso = AblationConfig.from_dict({**base, "me_datasets": [ME, SMIC]})
    composite = AblationConfig.from_dict({**base, "me_datasets": [ME, SMIC], "protocol": "composite"})
    assert {c.clip_id for c in protocol_clips(session, loso)} == everything  # plain LOSO keeps it
    chosen = protocol_clips(session, composite)
    assert {c.clip_id for c in chosen} == everything - {excluded}
    folds = protocol_folds("composite", chosen, LABELS_ME)
    assert [f.test_subject for f in folds] == [
        f"{ME}/sub03",
        f"{ME}/sub04",
        f"{SMIC}/sub01",
        f"{SMIC}/sub02",
    ]

    out = run_variant(tiny_catalog, "er", 0, composite)
    with session_factory(tiny_catalog)() as s:
        run = s.get(Run, out.run_id)
        assert run.status == "succeeded" and run.config["protocol"] == "composite"
        assert {ME, SMIC} <= set(run.dataset_names)
        preds = list(s.scalars(select(Prediction).where(Prediction.run_id == run.id)))
        assert {p.clip_id for p in preds} == everything - {excluded}
        assert len(preds) == 11
        assert {p.fold for p in preds} == {f.test_subject for f in folds}
        metrics = {
            (m.scope, m.name): m.value for m in s.scalars(select(Metric).where(Metric.run_id == run.id))
        }
        dataset_of = {c.id: c.dataset.name for c in s.scalars(select(Clip).where(Clip.id.in_(everything)))}
    pooled = compute_metrics([p.truth for p in preds], [p.predicted for p in preds], LABELS_ME)
    assert metrics[("overall", "uf1")] == pytest.approx(pooled.uf1)
    assert metrics[("overall", "uar")] == pytest.approx(pooled.uar)
    # each sub-dataset's figures come from the same pooled predictions
    for name in (ME, SMIC):
        mine = [p for p in preds if dataset_of[p.clip_id] == name]
        report = compute_metrics([p.truth for p in mine], [p.predicted for p in mine], LABELS_ME)
        assert metrics[(f"dataset:{name}", "uf1")] == pytest.approx(report.uf1)
        assert metrics[(f"dataset:{name}", "uar")] == pytest.approx(report.uar)
    assert out.uf1 == pytest.approx(pooled.uf1)


def test_composite_needs_a_casme2_smic_or_samm_dataset(tiny_catalog: str, session: Session) -> None:
    cfg = AblationConfig.from_dict({"protocol": "composite", "me_datasets": ["synthetic-ckplus"]})
    with pytest.raises(GlimpseError, match="composite protocol needs a dataset of format casme2/smic/samm"):
        protocol_clips(session, cfg)


def test_cross_dataset_trains_on_one_and_tests_on_the_other(tiny_catalog: str, session: Session) -> None:
    _split_catalog(session)
    train_ids, test_ids = _labelled(session, ME), _labelled(session, SMIC)
    assert len(train_ids) == 6 and len(test_ids) == 6
    params = {
        **AblationConfig.tiny().to_dict(),
        "protocol": "cross_dataset",
        "train_datasets": [ME],
        "test_datasets": SMIC,  # a single name is accepted like me_datasets
    }
    cfg = AblationConfig.from_dict(params)
    assert cfg.test_datasets == (SMIC,) and cfg.evaluation_datasets() == (ME, SMIC)
    (fold,) = protocol_folds(cfg.protocol, protocol_clips(session, cfg), LABELS_ME, 0, 0.0, cfg.test_datasets)
    assert fold.test_subject == f"cross:{SMIC}"
    assert set(fold.test_clip_ids) == test_ids and set(fold.train_clip_ids) == train_ids
    assert not set(fold.train_clip_ids) & set(fold.test_clip_ids)

    out = run_from_params("train", {**params, "variant": "er", "seed": 0})
    with session_factory(tiny_catalog)() as s:
        run = s.get(Run, out["run_id"])
        assert run.status == "succeeded" and run.config["protocol"] == "cross_dataset"
        assert run.config["train_datasets"] == [ME] and run.config["test_datasets"] == [SMIC]
        assert {ME, SMIC} <= set(run.dataset_names)
        preds = list(s.scalars(select(Prediction).where(Prediction.run_id == run.id)))
        assert {p.clip_id for p in preds} == test_ids and len(preds) == 6
        assert {p.fold for p in preds} == {f"cross:{SMIC}"}
        metrics = {
            (m.scope, m.name): m.value for m in s.scalars(select(Metric).where(Metric.run_id == run.id))
        }
    pooled = compute_metrics([p.truth for p in preds], [p.predicted for p in preds], LABELS_ME)
    assert metrics[("overall", "uf1")] == pytest.approx(pooled.uf1) == pytest.approx(out["uf1"])
    assert metrics[(f"fold:cross:{SMIC}", "uf1")] == pytest.approx(pooled.uf1)
    assert metrics[(f"dataset:{SMIC}", "uar")] == pytest.approx(pooled.uar)
    assert not any(scope == f"dataset:{ME}" for scope, _ in metrics)  # nothing of ME was tested


def test_cross_dataset_fold_validation_comes_from_training_subjects() -> None:
    train = [ClipInfo(i, f"c{i}", f"a/s{i % 4}", "a", LABELS_ME[i % 3]) for i in range(8)]
    test = [ClipInfo(100 + i, f"t{i}", f"b/s{i}", "b", LABELS_ME[i % 3]) for i in range(3)]
    fold = build_cross_dataset_fold(train, test, LABELS_ME, seed=1, val_subjects=0.5)
    assert fold.index == 0 and fold.test_subject == "cross:b"
    assert fold.test_clip_ids == (100, 101, 102) and fold.train_clip_ids == tuple(range(8))
    assert list(fold.train_labels) == [c.label for c in train]
    val_subjects = {train[i].subject for i in fold.val_clip_ids}
    assert len(val_subjects) == 2 and set(fold.val_clip_ids) <= set(fold.train_clip_ids)
    with pytest.raises(GlimpseError, match="no labelled test clips"):
        build_cross_dataset_fold(train, [], LABELS_ME)
    with pytest.raises(GlimpseError, match="both the training and the test side"):
        build_cross_dataset_fold(train, train[:1], LABELS_ME)


def test_bad_protocol_settings_are_refused_with_a_helpful_message() -> None:
    with pytest.raises(GlimpseError, match="unknown protocol 'kfold'") as info:
        AblationConfig.from_dict({"protocol": "kfold"})
    assert info.value.hint == "use one of loso, composite, cross_dataset"
    with pytest.raises(GlimpseError, match="needs both train_datasets and test_datasets"):
        AblationConfig.from_dict({"protocol": "cross_dataset", "train_datasets": ["a"]})
    with pytest.raises(GlimpseError, match="needs both train_datasets and test_datasets"):
        AblationConfig(protocol="cross_dataset", test_datasets=("b",))
    with pytest.raises(GlimpseError, match="dataset.s. b are both train and test datasets"):
        AblationConfig.from_dict(
            {"protocol": "cross_dataset", "train_datasets": ["a", "b"], "test_datasets": ["b"]}
        )
    with pytest.raises(GlimpseError, match="only apply to protocol cross_dataset"):
        AblationConfig.from_dict({"train_datasets": ["a"], "test_datasets": ["b"]})
    cfg = AblationConfig(protocol="cross_dataset", train_datasets=("a",), test_datasets=("b",))
    assert AblationConfig.from_dict(cfg.to_dict()) == cfg  # round-trips through JSON-able dicts
    assert AblationConfig().protocol == "loso" and AblationConfig().evaluation_datasets() == (ME,)


def test_cli_refuses_bad_protocols_before_any_work(tiny_catalog: str) -> None:
    runner = CliRunner()
    bad = runner.invoke(app, ["train", "--tiny", "--protocol", "kfold"])
    assert bad.exit_code == 2 and "unknown protocol 'kfold'" in bad.output
    missing = runner.invoke(app, ["ablation", "--tiny", "--protocol", "cross_dataset", "--train-dataset", ME])
    assert missing.exit_code == 2 and "needs both train_datasets and test_datasets" in missing.output
    same = runner.invoke(
        app,
        ["ablation", "--tiny", "--protocol", "cross_dataset", "--train-dataset", ME, "--test-dataset", ME],
    )
    assert same.exit_code == 2 and "both train and test datasets" in same.output
    with session_factory(tiny_catalog)() as s:
        assert s.scalar(select(Run.id)) is None  # nothing was started
    # the options become the job params run_from_params reads
    params = _params(None, "cpu", None, None, True, "cross_dataset", [ME], [SMIC, "other"])
    assert params["protocol"] == "cross_dataset"
    assert params["train_datasets"] == [ME] and params["test_datasets"] == [SMIC, "other"]
    assert AblationConfig.from_dict(params).evaluation_datasets() == (ME, SMIC, "other")
