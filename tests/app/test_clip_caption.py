"""The line under a clip's name tells a blind coder the release's coding is hidden (rather than "no label
· no onset, apex or offset coded", which reads as if the clip had none), and shows it to everyone else."""

from __future__ import annotations

from dataclasses import replace

from engine import api
from workbench.components.clip_caption import clip_caption

CODED = api.ClipDetail(
    id=1, dataset="toy", dataset_format="synthetic", subject="s1", name="c1", label="positive",
    emotion="happiness", onset=101, apex=104, offset=107, apex_estimated=False, action_units="12",
    n_frames=10, n_annotators=1, majority_share=1.0, synthetic=True, fps=200.0,
    frame_numbers=tuple(range(100, 110)),
)  # fmt: skip


def test_the_caption_shows_the_coding_or_says_it_is_hidden() -> None:
    shown = clip_caption(CODED, 10)
    assert shown.startswith("label **positive** (happiness) · AUs 12 · coded onset 101 · apex 104 · offset")
    hidden = replace(
        CODED, label=None, emotion="", onset=None, apex=None, offset=None, action_units="", coding_hidden=True
    )
    assert clip_caption(hidden, 10) == (
        "the release's coding is hidden while your assignment is blind — code what you see"
        " · 10 frames @ 200 fps"
    )
