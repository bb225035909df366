"""The corpus is the same bytes whatever order its jobs run in: `glimpse synth` renders them in a process
pool, so which clips one worker draws, and in which order, changes from run to run. The renderer's head
cache is keyed on the jaw at 1/16 pixel and can hand a clip a head drawn from another clip's slightly
different jaw; each job therefore starts on empty caches. Without that, frames of subject 15's clips in
the default corpus differ between the two orders below (that is how `glimpse synth` stopped giving the
same corpus, and the ablation numbers moved with it)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from engine.progress import NullReporter
from engine.synth.config import SynthConfig
from engine.synth.plan import me_identities, plan_me_clips
from engine.synth.render import clear_caches
from engine.synth.write import _me_job, _run_jobs


def _written(root: Path, forward: bool) -> dict[str, str]:
    cfg = SynthConfig()  # the default corpus: its plan has the near-identical jaws
    identities = me_identities(cfg)
    clips = [c for c in plan_me_clips(cfg) if c.subject == 15]
    if not forward:
        clips.reverse()
    jobs = [
        (_me_job, (c, identities[c.subject - 1], cfg, root / c.filename), c.last_frame - c.first_frame + 1)
        for c in clips
    ]
    clear_caches()  # both orders start from the same state, as a fresh pool worker does
    _run_jobs(jobs, 1, NullReporter(), lambda _result: None)
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_clip_frames_do_not_depend_on_the_job_order(tmp_path: Path) -> None:
    forward = _written(tmp_path / "forward", forward=True)
    backward = _written(tmp_path / "backward", forward=False)
    assert len(forward) > 300  # every frame and each clip's landmarks file
    assert forward.keys() == backward.keys()
    differing = sorted(name for name in forward if forward[name] != backward[name])
    assert differing == []
