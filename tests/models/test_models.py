"""Shapes and wiring of the networks: encoder/decoder/CAE, expression head, sequence classifier."""

from __future__ import annotations

import pytest
import torch

from models.cae import CAE
from models.encoder import ENCODER_VARIANTS, Encoder
from models.heads import ExpressionHead
from models.registry import create_model, list_models
from models.sequence import SequenceClassifier

torch.set_num_threads(1)


@pytest.mark.parametrize("size", [32, 64])
def test_encoder_features_head_and_cae_shapes(size: int) -> None:
    enc = Encoder(image_size=size, channels=(8, 16, 16), feature_dim=24)
    x = torch.rand(3, 1, size, size)
    feats = enc.forward_features(x)
    assert feats.shape == (3, 24)
    assert torch.equal(enc.forward_head(feats), feats)  # no classifier: identity head
    assert enc(x).shape == (3, 24)
    rec = CAE(enc)(x)
    assert rec.shape == (3, 1, size, size)
    assert float(rec.detach().min()) >= 0.0 and float(rec.detach().max()) <= 1.0  # sigmoid pixels


def test_encoder_with_classes_and_expression_head() -> None:
    enc = Encoder(image_size=32, channels=(8, 16, 16), feature_dim=24, num_classes=4)
    x = torch.rand(2, 1, 32, 32)
    assert enc(x).shape == (2, 4)
    assert ExpressionHead(24, 4)(enc.forward_features(x)).shape == (2, 4)


def test_encoder_refuses_a_size_the_strides_cannot_halve() -> None:
    with pytest.raises(ValueError, match="multiple of 8"):
        Encoder(image_size=36, channels=(8, 16, 16))


def test_registry_named_variants() -> None:
    small = create_model("enc_small")
    base = create_model("enc_base")
    assert (small.image_size, small.feature_dim) == (64, 64)
    assert (base.image_size, base.feature_dim) == (128, 256)
    assert create_model("enc_small", image_size=128).image_size == 128
    assert {"enc_tiny", "enc_small", "enc_base", "cae", "sequence"} <= set(list_models())
    assert set(ENCODER_VARIANTS) <= set(list_models())
    seq = create_model("sequence", in_features=8, hidden=4, num_classes=3)
    assert isinstance(seq, SequenceClassifier)
    with pytest.raises(KeyError, match="unknown model"):
        create_model("resnet9000")


@pytest.mark.parametrize("rnn", ["gru", "lstm"])
def test_sequence_classifier_reads_the_last_timestep(rnn: str) -> None:
    torch.manual_seed(0)
    model = SequenceClassifier(in_features=5, hidden=6, rnn=rnn, num_classes=3).eval()
    x = torch.randn(2, 7, 5)
    logits = model(x)
    assert logits.shape == (2, 3)
    steps = model.timestep_scores(x)
    assert steps.shape == (2, 7, 3)
    assert torch.allclose(steps.sum(-1), torch.ones(2, 7))
    # the per-step scores' last step IS the clip prediction
    assert torch.allclose(steps[:, -1], torch.softmax(logits, -1), atol=1e-6)
    # the output depends on the order of frames (an RNN, not a pooled bag of frames)
    assert not torch.allclose(model(x.flip(1)), logits)
    # changing an early frame changes the output only through the recurrence: the head sees only the
    # last RNN output, so it equals head(rnn_out[:, -1]) exactly
    x2 = x.clone()
    x2[:, 0] += 3.0
    out2 = model.outputs(x2)
    assert torch.allclose(model(x2), model.head(out2[:, -1]))
    assert not torch.allclose(model(x2), logits)
    # earlier steps' scores do not see later frames (causal)
    x3 = x.clone()
    x3[:, -1] += 3.0
    assert torch.allclose(model.timestep_scores(x3)[:, :-1], steps[:, :-1], atol=1e-6)


def test_sequence_classifier_rejects_unknown_rnn() -> None:
    with pytest.raises(ValueError, match="gru"):
        SequenceClassifier(4, rnn="transformer", num_classes=3)
