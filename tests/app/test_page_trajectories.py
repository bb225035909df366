"""The Trajectories page: it loads a run's trajectories.npz, and a rerun opens no file. AppTest against
conftest.py's seeded catalog."""

from __future__ import annotations

import numpy as np
from app_support import open_on_clip, texts  # type: ignore[import-not-found]

from engine import api


def test_trajectories_page_loads_npz(seeded) -> None:
    cid = seeded.clip_ids[0]
    data = api.trajectories(seeded.run_id, cid)
    assert data.features.shape == (10, 8) and data.pca.shape == (10, 2)
    assert data.frames == tuple(range(100, 110))
    assert data.scores is not None and data.scores.shape == (10, 3)
    at = open_on_clip("trajectories", cid)
    assert not at.exception
    assert any(f"clip #{cid}" in c.value for c in at.caption)
    assert "Frames: full · run-full-0: 10" in texts(at)
    assert len(at.get("plotly_chart")) == 2


def test_trajectories_rerun_opens_no_file(seeded, monkeypatch) -> None:
    cid = seeded.clip_ids[1]
    at = open_on_clip("trajectories", cid)
    assert "Frames: full · run-full-0: 10" in texts(at)
    opened: list[object] = []
    load = np.load

    def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        opened.append(args[0])
        return load(*args, **kwargs)

    monkeypatch.setattr(np, "load", counted)
    at.run()  # a rerun (any widget change) reads the index and the trajectory from the caches
    assert not at.exception and "Frames: full · run-full-0: 10" in texts(at)
    assert opened == []
    at.selectbox(key="traj_clip").select(seeded.clip_ids[2]).run()  # a new clip: its arrays, once
    assert [str(p).endswith("trajectories.npz") for p in opened] == [True]
