"""What a run picker shows: each run named by what it is (variant, datasets, label source, seeds,
date, status), and which run a page opens on — the newest *finished* one of the kind it shows, never
a cancelled run or a spotting run that has nothing to show there."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from db import queries
from db.schema import Run
from engine.annotate.sources import config_labels
from engine.api.session import get_session

RECOGNITION_KINDS = ("loso", "ablation")  # what Results and Compare show (spotting runs have their page)
FINISHED = "succeeded"


@dataclass(frozen=True)
class RunChoice:
    """One run as a picker names it."""

    id: str
    kind: str
    variants: tuple[str, ...]  # the run's variant; an ablation's variants
    labels: str  # the label source(s) it learned from
    datasets: tuple[str, ...]
    seeds: tuple[int, ...]
    created: datetime | None
    status: str
    synthetic: bool
    parent: str | None

    @property
    def finished(self) -> bool:
        return self.status == FINISHED

    @property
    def label(self) -> str:
        """E.g. ``FULL · casme2 · labels source · seed 0 · 2026-12-02 21:40 · succeeded``."""
        what = " ".join(
            [*(["ablation"] if self.kind == "ablation" else []), "/".join(v.upper() for v in self.variants)]
        )
        what = what.strip() or self.kind
        seeds = ",".join(map(str, self.seeds))
        parts = [
            what,
            ", ".join(self.datasets) or "no dataset",
            f"labels {self.labels}",
            (f"seeds {seeds}" if len(self.seeds) > 1 else f"seed {seeds}") if self.seeds else "no seed",
            self.created.strftime("%Y-%m-%d %H:%M") if self.created else "undated",
            self.status,
        ]
        return " · ".join(parts) + (" · SYNTHETIC" if self.synthetic else "") + f" · {self.id}"


def _choice(run: Run) -> RunChoice:
    config = dict(run.config or {})
    if run.kind == "ablation":
        variants = tuple(str(v) for v in config.get("variants", ()))
        seeds = tuple(int(s) for s in config.get("seeds", ()))
    else:
        variants = (run.variant,) if run.variant else ()
        seeds = (run.seed,) if run.seed is not None else ()
    return RunChoice(
        id=run.id,
        kind=run.kind,
        variants=variants,
        labels="/".join(config_labels(config)),
        datasets=tuple(str(d) for d in run.dataset_names or ()),
        seeds=seeds,
        created=run.created_at,
        status=run.status,
        synthetic=bool(run.is_synthetic),
        parent=run.parent_id,
    )


def run_choices(kinds: Sequence[str] = RECOGNITION_KINDS, limit: int = 500) -> list[RunChoice]:
    """Runs of these kinds, newest first, as the pickers name them."""
    with get_session() as session:
        return [_choice(r) for r in queries.list_runs(session, limit) if r.kind in kinds]


def newest_finished(choices: Sequence[RunChoice], kind: str | None = None) -> RunChoice | None:
    """The newest finished run (of ``kind``) among ``choices`` (newest first); None when none finished."""
    return next((c for c in choices if c.finished and (kind is None or c.kind == kind)), None)


def children_of(ablation_id: str) -> list[RunChoice]:
    """An ablation's runs (variant × seed), oldest first."""
    with get_session() as session:
        return [_choice(r) for r in queries.child_runs(session, ablation_id)]


def runs_of_job(job_id: int) -> list[RunChoice]:
    """The runs a job created, oldest first (an ablation job: the parent first, then its children)."""
    with get_session() as session:
        return [_choice(r) for r in queries.runs_of_job(session, int(job_id))]
