"""Stage 3 on its own: learns a temporal pattern, honours imbalance options, validation selection and
the fine-tuning switch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.train.config import EncoderStageConfig, SequenceConfig
from engine.train.runtime import resolve_device
from engine.train.sequence import train_and_predict
from engine.train.stages import train_encoder

CPU = resolve_device("cpu")


def _motion_features(n: int = 60, t: int = 6, d: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Class k = feature k rises over time from a random per-clip offset (identity) plus noise."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    x = rng.normal(0, 1, (n, 1, d)).repeat(t, 1) * 2.0  # identity: constant over time, large
    x += rng.normal(0, 0.2, (n, t, d))
    ramp = np.linspace(0, 1.5, t)
    for i, k in enumerate(y):
        x[i, :, k] += ramp
    return x.astype(np.float32), y


@pytest.mark.parametrize("imbalance", ["weighted_loss", "sampler", "none"])
def test_stage3_learns_motion_relative_to_onset(imbalance: str) -> None:
    torch.set_num_threads(1)
    x, y = _motion_features()
    cfg = SequenceConfig(hidden=16, seq_len=6, epochs=25, batch_size=16, imbalance=imbalance)
    out = train_and_predict(x, y, np.arange(15, 60), np.arange(15), cfg, 0, 3, CPU)
    assert out.probs.shape == (15, 3) and out.frame_scores.shape == (15, 6, 3)
    assert np.allclose(out.frame_scores[:, -1], out.probs)
    assert (out.probs.argmax(1) == y[:15]).mean() >= 0.8


def test_validation_selection_reports_the_chosen_epoch() -> None:
    torch.set_num_threads(1)
    x, y = _motion_features()
    cfg = SequenceConfig(hidden=16, seq_len=6, epochs=8, batch_size=16)
    out = train_and_predict(x, y, np.arange(15, 60), np.arange(15), cfg, 0, 3, CPU, val_idx=np.arange(15, 27))
    assert 1 <= out.epochs_used <= 8
    last = train_and_predict(x, y, np.arange(15, 60), np.arange(15), cfg, 0, 3, CPU)
    assert last.epochs_used == 8  # no validation: the last epoch, never chosen on the test clips


def test_fine_tuning_runs_the_encoder_inside() -> None:
    torch.set_num_threads(1)
    enc_cfg = EncoderStageConfig(model="enc_tiny", image_size=32, epochs=1, batch_size=8)
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 255, (9, 4, 32, 32), dtype=np.uint8)
    state, _ = train_encoder(("fir",), enc_cfg, 0, CPU, faces=frames[:, 0])
    y = np.arange(9) % 3
    cfg = SequenceConfig(hidden=8, seq_len=4, epochs=1, batch_size=4, freeze_encoder=False)
    out = train_and_predict(
        np.zeros((9, 4, 32), np.float32),
        y,
        np.arange(3, 9),
        np.arange(3),
        cfg,
        0,
        3,
        CPU,
        frames=frames,
        encoder_state=state,
        encoder_cfg=enc_cfg,
    )
    assert out.probs.shape == (3, 3) and np.allclose(out.probs.sum(1), 1, atol=1e-5)
    # frozen on all-zero cached features every test clip gets the same scores; fine-tuning sees pixels
    frozen = train_and_predict(
        np.zeros((9, 4, 32), np.float32),
        y,
        np.arange(3, 9),
        np.arange(3),
        SequenceConfig(hidden=8, seq_len=4, epochs=1, batch_size=4),
        0,
        3,
        CPU,
    )
    assert np.allclose(frozen.probs, frozen.probs[0], atol=1e-6)
    assert not np.allclose(out.probs, out.probs[0], atol=1e-6)
