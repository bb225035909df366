"""The encoder stages learn what they are meant to: FIR reconstructs, ER separates the macro classes,
MIXT optimises both losses, FULL starts ER from the FIR encoder."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from engine.errors import GlimpseError
from engine.labels import LABELS_MACRO
from engine.train.config import EncoderStageConfig
from engine.train.runtime import resolve_device
from engine.train.stages import class_weights, load_encoder, to_tensor, train_encoder
from engine.variants.registry import get_variant
from models.cae import CAE
from models.heads import ExpressionHead

CFG = EncoderStageConfig(model="enc_tiny", image_size=32, epochs=1, batch_size=16, lr=3e-3)
CPU = resolve_device("cpu")


def test_fir_reconstruction_improves_with_epochs(drawn_images) -> None:
    images, _ = drawn_images
    _, one = train_encoder(("fir",), CFG, 0, CPU, faces=images)
    _, six = train_encoder(("fir",), replace(CFG, epochs=6), 0, CPU, faces=images)
    assert set(one) == {"rec", "ce"} and one["ce"] == 0.0
    assert six["rec"] < 0.7 * one["rec"]


def test_er_learns_the_macro_classes(drawn_images) -> None:
    images, labels = drawn_images
    state, losses = train_encoder(
        ("er",), replace(CFG, epochs=12, augment=False), 0, CPU, macro=(images, labels)
    )
    assert losses["rec"] == 0.0 and losses["ce"] < 1.0  # log(4) = 1.39 is chance
    # the learned features separate the classes: a nearest-class-mean rule on them beats chance
    feats = load_encoder(state, CFG).forward_features(to_tensor(images)).detach().numpy()
    means = np.stack([feats[labels == k].mean(0) for k in range(4)])
    pred = np.argmin(((feats[:, None] - means[None]) ** 2).sum(-1), 1)
    assert (pred == labels).mean() > 0.6


def test_mixt_and_full_use_both_tasks(drawn_images) -> None:
    images, labels = drawn_images
    _, mixt = train_encoder(("mixt",), CFG, 0, CPU, faces=images, macro=(images, labels))
    assert mixt["rec"] > 0 and mixt["ce"] > 0
    full_state, full = train_encoder(
        get_variant("full").stages, CFG, 0, CPU, faces=images, macro=(images, labels)
    )
    assert set(full) == {"fir_rec", "fir_ce", "er_rec", "er_ce"} and full["fir_rec"] > 0 and full["er_ce"] > 0
    er_state, _ = train_encoder(("er",), CFG, 0, CPU, macro=(images, labels))
    # FULL's ER stage starts from the FIR encoder, so it ends elsewhere than ER from scratch
    assert not torch.allclose(full_state["fc.1.weight"], er_state["fc.1.weight"])


def test_stages_refuse_missing_data_and_unknown_names(drawn_images) -> None:
    images, labels = drawn_images
    with pytest.raises(GlimpseError, match="needs macro-expression images"):
        train_encoder(get_variant("full").stages, CFG, 0, CPU, faces=images)
    with pytest.raises(GlimpseError, match="needs face images"):
        train_encoder(("fir",), CFG, 0, CPU, macro=(images, labels))
    with pytest.raises(GlimpseError, match="unknown stage"):
        train_encoder(("sft",), CFG, 0, CPU, faces=images)


def test_class_weights_are_inverse_frequency() -> None:
    w = class_weights(np.array([0, 0, 0, 1, 2, 2]), 4)
    assert w[3] == 0.0  # absent class
    assert w[1] == pytest.approx(3 * w[0]) and w[2] == pytest.approx(1.5 * w[0])


def test_a_trained_encoder_loads_back_and_feeds_the_decoder_and_head() -> None:
    images = np.random.default_rng(0).integers(0, 256, (4, 32, 32), dtype=np.uint8)
    state, _ = train_encoder(("fir",), CFG, 0, CPU, faces=images)
    enc = load_encoder(state, CFG)
    loaded = enc.state_dict()
    assert set(loaded) == set(state) and all(torch.equal(loaded[k], state[k]) for k in state)
    x = to_tensor(images)
    with torch.no_grad():
        assert torch.equal(enc.forward_features(x), load_encoder(state, CFG).forward_features(x))
        assert CAE(enc)(x).shape == x.shape  # the reconstruction has the image's shape
        logits = ExpressionHead(enc.feature_dim, len(LABELS_MACRO))(enc.forward_features(x))
    assert logits.shape == (4, len(LABELS_MACRO))
