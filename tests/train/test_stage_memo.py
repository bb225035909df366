"""FULL (FIR then ER) may start from FIR's encoder when FIR of the same seed was trained earlier in the same
ablation: the result must be the same bits as FULL trained alone, and reuse must happen only where every
input that decides the stage is the same."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch

from engine.progress import NullReporter
from engine.train.config import EncoderStageConfig
from engine.train.runtime import resolve_device
from engine.train.stage_memo import TRAINED_STAGES, sharing_trained_stages
from engine.train.stages import train_encoder

CFG = EncoderStageConfig(model="enc_tiny", image_size=32, epochs=2, batch_size=16, lr=3e-3)
CPU = resolve_device("cpu")
FULL = ("fir", "er")


class Lines(NullReporter):
    def __init__(self) -> None:
        self.lines: list[str] = []

    def log(self, line: str) -> None:
        self.lines.append(line)


def same_bits(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_full_after_fir_reuses_fir_and_ends_on_the_same_bits(drawn_images) -> None:
    images, labels = drawn_images
    macro = (images, labels)
    cold_state, cold_losses = train_encoder(FULL, CFG, 3, CPU, faces=images, macro=macro)
    with sharing_trained_stages():
        fir_state, fir_losses = train_encoder(("fir",), CFG, 3, CPU, faces=images)
        torch.manual_seed(12345)  # whatever ran between the two runs drew from the global generators
        np.random.seed(999)
        warm = Lines()
        warm_state, warm_losses = train_encoder(FULL, CFG, 3, CPU, images, macro, warm)
    assert warm.lines and warm.lines[0].startswith("fir: reused")
    assert not any(line.startswith("fir epoch") for line in warm.lines)  # FIR was not trained again
    assert same_bits(warm_state, cold_state)
    assert warm_losses == cold_losses and warm_losses["fir_rec"] == fir_losses["rec"]
    assert not same_bits(fir_state, cold_state)  # ER did train on top
    assert not TRAINED_STAGES.active and TRAINED_STAGES.get(("anything",)) is None  # emptied at the end


def test_no_reuse_outside_an_ablation_or_when_an_input_differs(drawn_images) -> None:
    images, labels = drawn_images
    macro = (images, labels)
    train_encoder(("fir",), CFG, 3, CPU, faces=images)
    outside = Lines()
    train_encoder(FULL, CFG, 3, CPU, images, macro, outside)  # a single run trains every stage
    assert not any("reused" in line for line in outside.lines)
    with sharing_trained_stages():
        train_encoder(("fir",), CFG, 3, CPU, faces=images)
        for changed in (
            {"seed": 4},
            {"cfg": replace(CFG, lr=1e-3)},
            {"faces": images[::-1].copy()},
        ):
            args = {"seed": 3, "cfg": CFG, "faces": images} | changed
            lines = Lines()
            train_encoder(FULL, args["cfg"], args["seed"], CPU, args["faces"], macro, lines)
            assert not any("reused" in line for line in lines.lines), changed
