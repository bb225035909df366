"""End to end on a tiny drawn catalog: a tiny ablation stores runs, metrics, predictions, artefacts;
checkpoints load with weights_only=True; the same seed gives the same metrics; the CLI runs."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from sqlalchemy import func, select
from typer.testing import CliRunner

from db.schema import Artifact, Clip, Dataset, Metric, Prediction, Run
from db.session import session_factory
from engine.cli import app
from engine.cli import train as train_cli
from engine.evaluate.stats import ONE_SEED
from engine.labels import LABELS_ME
from engine.paths import glimpse_home
from engine.train.ablation import run_ablation, run_variant
from engine.train.config import AblationConfig
from engine.train.entry import run_from_params
from engine.train.stages import load_encoder


def _labelled_clip_ids(session) -> set[int]:
    stmt = select(Clip.id).join(Dataset).where(Dataset.name == "synthetic-casme2", Clip.label.in_(LABELS_ME))
    return set(session.scalars(stmt))


def test_tiny_ablation_end_to_end(
    tiny_catalog_on_each_backend: str, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    tiny_catalog = tiny_catalog_on_each_backend  # SQLite, then a real PostgreSQL
    cfg = AblationConfig.tiny()
    parent_id, comparison = run_ablation(tiny_catalog, cfg)
    with session_factory(tiny_catalog)() as s:
        parent = s.get(Run, parent_id)
        assert parent.kind == "ablation" and parent.status == "succeeded" and parent.is_synthetic
        assert parent.code_version and parent.catalog_snapshot and parent.wall_time_s > 0
        children = list(s.scalars(select(Run).where(Run.parent_id == parent_id).order_by(Run.variant)))
        assert [c.variant for c in children] == ["er", "fir", "full", "mixt"]
        labelled = _labelled_clip_ids(s)
        assert len(labelled) == 12
        for child in children:
            assert child.status == "succeeded" and child.kind == "loso" and child.seed == 0
            assert child.preprocess_backend == "ground_truth"  # the backend that really made the crops
            assert child.config["encoder"]["model"] == "enc_tiny"
            preds = list(s.scalars(select(Prediction).where(Prediction.run_id == child.id)))
            assert {p.clip_id for p in preds} == labelled  # one prediction per labelled clip
            assert all(p.fold.startswith("synthetic-casme2/sub") for p in preds)
            assert all(
                abs(sum(p.probs.values()) - 1) < 1e-4 and set(p.probs) == set(LABELS_ME) for p in preds
            )
            metrics = {
                (m.scope, m.name): m.value for m in s.scalars(select(Metric).where(Metric.run_id == child.id))
            }
            for name in ("uf1", "uar", "accuracy"):
                assert 0.0 <= metrics[("overall", name)] <= 1.0
            assert sum(1 for scope, name in metrics if scope.startswith("fold:") and name == "uf1") == 4
            assert metrics[("class:positive", "support")] == 4.0
            kinds = set(s.scalars(select(Artifact.kind).where(Artifact.run_id == child.id)))
            assert {
                "checkpoint",
                "features",
                "frame_scores",
                "megc_log",
                "predictions_csv",
                "config",
            } <= kinds
            # the checkpoint is a plain state_dict that loads without unpickling code
            ckpt = s.scalar(
                select(Artifact).where(Artifact.run_id == child.id, Artifact.kind == "checkpoint")
            )
            state = torch.load(glimpse_home() / ckpt.path, weights_only=True)
            assert load_encoder(state, cfg.encoder).feature_dim == 32
            traj = np.load(glimpse_home() / "runs" / child.id / "trajectories.npz")
            some = next(iter(labelled))
            assert traj[f"feat_{some}"].shape == (cfg.sequence.seq_len, 32)
            assert traj[f"scores_{some}"].shape == (cfg.sequence.seq_len, 3)
            assert traj[f"frames_{some}"].min() >= 2 and traj[f"frames_{some}"].max() <= 8  # onset..offset
            log = (glimpse_home() / "runs" / child.id / "megc_log.txt").read_text().splitlines()
            assert log[0].startswith("synthetic-casme2 sub") and len(log) == 4 + 12
        assert s.scalar(select(func.count()).select_from(Artifact).where(Artifact.kind == "comparison")) == 1
    saved = json.loads((glimpse_home() / "runs" / parent_id / "comparison.json").read_text())
    assert set(saved["variants"]) == {"fir", "er", "mixt", "full"}
    assert set(saved["paired"]) == {"full_vs_fir", "full_vs_er", "full_vs_mixt"}
    assert saved["paired"]["full_vs_er"]["by_fold_uf1"]["n"] == 4
    # one seed: no sd, no interval, no p-value — over seeds or over the folds of that one training run
    for test in saved["paired"]["full_vs_er"].values():
        assert test["p_t"] is None and test["p_wilcoxon"] is None and test["note"].startswith("n/a")
    assert saved["paired"]["full_vs_er"]["by_fold_uf1"]["note"] == ONE_SEED
    assert saved["variants"]["full"]["uf1_sd"] is None and saved["variants"]["full"]["uf1_ci"] == [None, None]
    monkeypatch.setattr(train_cli.console, "width", 200)
    train_cli.print_comparison(parent_id)  # what `glimpse ablation` prints at the end
    printed = capsys.readouterr().out
    assert f"sd, 95% CI and p-values: {ONE_SEED}" in printed
    assert f"recorded environment: torch {torch.__version__}" in printed
    assert f"check it reproduces: glimpse reproduce {parent_id}" in printed
    assert "(sd n/a)" in printed and "(p n/a)" in printed and "± 0.000" not in printed and "p=" not in printed
    assert 0 < saved["chance"]["uniform_uf1"] < 0.6 and saved["chance"]["majority_uar"] == 1 / 3
    assert comparison["variants"]["full"]["uf1"] == saved["variants"]["full"]["uf1"]


def test_same_seed_gives_same_metrics(tiny_catalog: str) -> None:
    cfg = AblationConfig.tiny()
    a = run_variant(tiny_catalog, "mixt", 7, cfg)
    b = run_variant(tiny_catalog, "mixt", 7, cfg)
    assert a.run_id != b.run_id
    assert (a.uf1, a.uar, a.fold_uf1) == (b.uf1, b.uar, b.fold_uf1)
    with session_factory(tiny_catalog)() as s:
        pa = {p.clip_id: p.probs for p in s.scalars(select(Prediction).where(Prediction.run_id == a.run_id))}
        pb = {p.clip_id: p.probs for p in s.scalars(select(Prediction).where(Prediction.run_id == b.run_id))}
    assert pa == pb


def test_learns_the_drawn_task_and_evaluate_reuses_the_encoder(tiny_catalog: str) -> None:
    """On the drawn faces (mouth/brow movement) stage 3 beats chance clearly; evaluate reuses encoder.pt."""
    cfg = AblationConfig.from_dict(
        {
            **AblationConfig.tiny().to_dict(),
            "sequence": {"hidden": 16, "seq_len": 6, "epochs": 30, "batch_size": 8},
        }
    )
    out = run_from_params("train", {**cfg.to_dict(), "variant": "fir", "seed": 0})
    assert out["uf1"] > 0.6  # chance (uniform) is ~0.33
    again = run_from_params("evaluate", {"run_id": out["run_id"], "sequence": {"rnn": "lstm"}})
    with session_factory(tiny_catalog)() as s:
        run = s.get(Run, again["run_id"])
        assert run.variant == "fir" and run.config["sequence"]["rnn"] == "lstm"
        assert run.config["encoder_from"].endswith("encoder.pt")
        assert s.scalar(select(func.count()).select_from(Prediction).where(Prediction.run_id == run.id)) == 12


def test_cli_train_and_export(tiny_catalog: str, tmp_path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["train", "--stage", "er", "--tiny", "--device", "cpu"])
    assert result.exit_code == 0, result.output
    assert "UF1" in result.output and "SYNTHETIC" in result.output
    with session_factory(tiny_catalog)() as s:
        run_id = s.scalar(select(Run.id).where(Run.variant == "er"))
    result = runner.invoke(app, ["export", run_id, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == [f"{run_id}-megc_log.txt", f"{run_id}-predictions.csv"]
    bad = runner.invoke(app, ["train", "--stage", "nope", "--tiny"])
    assert bad.exit_code == 2 and "unknown variant" in bad.output


class _CancelAfter:
    """A reporter whose user presses 'cancel' after ``n`` checks."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.messages: list[str] = []

    def progress(self, fraction: float, message: str = "") -> None:
        self.messages.append(message)

    def log(self, line: str) -> None:
        pass

    def cancelled(self) -> bool:
        self.n -= 1
        return self.n < 0


def test_cancel_stops_between_epochs_and_marks_the_run(tiny_catalog: str) -> None:
    import pytest

    from engine.progress import Cancelled

    reporter = _CancelAfter(1)
    with pytest.raises(Cancelled):
        run_from_params("train", {**AblationConfig.tiny().to_dict(), "variant": "er"}, reporter)
    with session_factory(tiny_catalog)() as s:
        run = s.scalar(select(Run).where(Run.variant == "er"))
        assert run.status == "cancelled" and run.wall_time_s is not None
        assert s.scalar(select(func.count()).select_from(Prediction)) == 0  # nothing half-written
