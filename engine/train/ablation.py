"""One variant × seed evaluated with LOSO (a child run), and the ablation: variants × seeds under a parent
run with a ``comparison.json`` (spread over seeds, paired tests of FULL against every other variant)."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from db.errors import CatalogFault
from db.faults import faults_as_errors
from db.schema import Metric
from db.session import session_scope
from engine.annotate.sources import DEFAULT_LABELS
from engine.evaluate.comparison import (
    COMPARISON_KIND,
    REFERENCE,
    VariantOutcome,
    compare_outcomes,
    write_comparison,
)
from engine.labels import LABELS_ME
from engine.local_executor import Executor, LocalExecutor, peak_rss_mib
from engine.progress import Cancelled, NullReporter, Reporter, SubReporter, check_cancel
from engine.train.config import AblationConfig
from engine.train.data import ProtocolClips, protocol_selection
from engine.train.loso import protocol_folds, run_folds
from engine.train.runs import (
    add_artifact,
    chance_levels,
    create_run,
    discard_outputs,
    finish_run,
    record_loso,
    run_dir,
)
from engine.train.runtime import applied_runtime, resolve_device
from engine.train.stage_memo import sharing_trained_stages
from engine.variants.contract import ClipInfo, FoldResult, FoldSpec, VariantContext
from engine.variants.registry import Variant, get_variant
from engine.variants.selection import FLAWED_LABEL, LEAKAGE_SAFE, TEST_SUBJECT_ORACLE

# keys run_variant adds to a run's stored config that are not AblationConfig fields (what it ran, how its
# epochs were selected, the encoder it reused): dropped when a stored config is read back as a config
RUN_ONLY_KEYS = ("variants", "seeds", "encoder_from", "selection")
LABELS_KIND = "labels"  # the artefact saying which label source a run used and how many clips it covered


def arm_name(variant: str, labels: str) -> str:
    """What a comparison calls one arm: the variant on the release's coding, ``variant@labels`` on
    another label source (so label sources sit side by side like variants, under the same statistics)."""
    return variant if labels == DEFAULT_LABELS else f"{variant}@{labels}"


def _final_status(error: BaseException) -> str:
    """'cancelled' for a user's stop, else 'failed'."""
    return "cancelled" if isinstance(error, Cancelled | KeyboardInterrupt) else "failed"


def _datasets(cfg: AblationConfig, variant: str, me_names: list[str] | None = None) -> list[str]:
    """Every dataset a run of ``variant`` reads, from the roles it declares: the protocol's ME datasets
    (``me_names``: those its clips really came from), then the faces/macro sets its encoder stages use."""
    roles = get_variant(variant).datasets
    names = list(cfg.evaluation_datasets()) if me_names is None else list(me_names)
    if "faces" in roles:
        names.append(cfg.faces_dataset)
    if "macro" in roles:
        names.append(cfg.macro_dataset)
    return names


@dataclass(frozen=True)
class VariantTask:
    """One variant × seed run as plain data, after its Run row exists: what ``compute_variant`` needs, in
    this process or in a pool worker (the variant itself travels, so a worker needs no registry)."""

    run_id: str
    spec: Variant
    seed: int
    cfg: AblationConfig
    db_url: str
    clips: tuple[ClipInfo, ...]
    folds: tuple[FoldSpec, ...]
    device: str
    labels: str  # the label source it learns from
    labels_path: Path  # labels.json: the source and the clips it covered (an artefact of the run)
    ties: int  # majority ties left out of the run's clips
    encoder_path: str | None = None


@dataclass
class VariantComputed:
    """What a run computed, before anything of it is recorded."""

    results: list[FoldResult]
    artifacts: list[tuple[str, Path, dict]]
    peak_rss_mib: float = 0.0  # of the process that computed it (a pool worker's memory)
    compute_s: float = 0.0  # wall seconds the computing took, where it ran
    reused_stages: tuple[str, ...] = ()  # encoder stages taken from an identical training (stage_memo)


@dataclass(frozen=True)
class Arm:
    """One run of an ablation: a variant, a seed and a label source; ``index`` is its place in the
    sequential order (the order a comparison lists its runs in, whatever order they ran in)."""

    index: int
    seed: int
    labels: str
    variant: str


def ablation_arms(cfg: AblationConfig) -> list[Arm]:
    """Seeds × label sources × variants, in the sequential order."""
    arms = [(s, lab, v) for s in cfg.seeds for lab in cfg.labels for v in cfg.variants]
    return [Arm(i, seed, labels, variant) for i, (seed, labels, variant) in enumerate(arms)]


def worker_groups(arms: list[Arm]) -> list[tuple[Arm, ...]]:
    """The pool's tasks, longest first. One arm per task, except that an encoder variant whose stages
    extend another arm's (FULL = FIR then ER, same seed and label source) rides in the same task after
    it, so that worker reuses the trained FIR stage (``engine.train.stage_memo``) instead of training it
    again. Longest first (``Variant.cost_s``) so the last tasks to start are short and no core waits
    while another finishes a long one. Neither changes a number: each run's result is its own."""
    stages = {arm.index: get_variant(arm.variant).stages for arm in arms}

    def root(arm: Arm) -> Arm:
        """The arm of the same seed and labels with the shortest stages that start this arm's."""
        own = stages[arm.index]
        starts = [
            other
            for other in arms
            if (other.seed, other.labels) == (arm.seed, arm.labels)
            and stages[other.index]
            and own[: len(stages[other.index])] == stages[other.index]
        ]
        return min(starts, key=lambda other: (len(stages[other.index]), other.index), default=arm)

    groups: dict[int, list[Arm]] = {}
    for arm in arms:
        groups.setdefault(root(arm).index, []).append(arm)
    tasks = [tuple(sorted(group, key=lambda arm: len(stages[arm.index]))) for group in groups.values()]
    return sorted(tasks, key=lambda task: -sum(get_variant(arm.variant).cost_s for arm in task))


def execution_record(executor: Executor | None) -> dict[str, Any]:
    """How a run's work was spread (recorded with its environment): the executor and its workers."""
    workers = executor.workers if isinstance(executor, LocalExecutor) else None
    return {"executor": executor.name if executor else "local", "workers": workers or 1}


def start_variant(
    db_url: str,
    variant: str,
    seed: int,
    cfg: AblationConfig,
    job_id: int | None = None,
    parent_id: str | None = None,
    encoder_path: str | None = None,
    executor: Executor | None = None,
) -> VariantTask:
    """Select the clips of the run's label source, build the folds and create the Run row (status
    running) with its ``labels.json``."""
    spec = get_variant(variant)  # fail early on an unknown name
    device = resolve_device(cfg.device)
    labels = cfg.label_source
    with session_scope(db_url) as session:
        selection = protocol_selection(session, cfg, labels)  # an unknown / too thin source stops here
    clips = selection.clips
    folds = protocol_folds(cfg.protocol, clips, LABELS_ME, seed, cfg.sequence.val_subjects, cfg.test_datasets)
    me_names = list(dict.fromkeys(c.dataset for c in clips))
    config = {
        **cfg.to_dict(),
        "variants": [variant],
        "seeds": [seed],
        # the device as resolved: a stored "auto" would mean another device on another machine
        "device": str(device),
        "selection": selection_of(variant, cfg),
    }
    flawed = config["selection"] != LEAKAGE_SAFE
    if encoder_path:
        config["encoder_from"] = str(encoder_path)
    run_id = create_run(
        db_url,
        "loso",
        config,
        _datasets(cfg, variant, me_names),
        str(device),
        variant,
        seed,
        parent_id,
        job_id,
        name=f"{variant} seed {seed}"
        + ("" if labels == DEFAULT_LABELS else f" · labels {labels}")
        + (" [AUDIT — FLAWED selection]" if flawed else ""),
        execution=execution_record(executor),
    )
    labels_path = _write_labels(run_id, selection)
    return VariantTask(
        run_id,
        spec,
        seed,
        cfg,
        db_url,
        tuple(clips),
        tuple(folds),
        str(device),
        labels,
        labels_path,
        len(selection.ties),
        encoder_path,
    )


def _write_labels(run_id: str, selection: ProtocolClips) -> Path:
    """The run's ``labels.json``: the label source and the clips it covered."""
    path = run_dir(run_id) / "labels.json"
    path.write_text(json.dumps(selection.summary(), indent=2), encoding="utf-8")
    return path


def compute_variant(
    task: VariantTask, reporter: Reporter | None = None, executor: Executor | None = None
) -> VariantComputed:
    """Prepare the variant once (e.g. train its encoder), then stage 3 over the folds, under the run's
    numerics. Writes only into the run's folder and shared caches; the catalog rows come from
    ``record_variant``. Top-level and of plain data, so a pool worker runs it as one task."""
    reporter = reporter or NullReporter()
    cfg = task.cfg
    name = f"{task.spec.name} seed {task.seed}"
    with applied_runtime(cfg.runtime):  # the run's numerics, whatever the caller's
        context = VariantContext(
            task.spec.name,
            task.seed,
            task.db_url,
            list(task.clips),
            run_dir(task.run_id),
            task.device,
            cfg,
            SubReporter(reporter, 0.0, 0.6, f"{name} · prepare"),
        )
        if task.encoder_path:
            context.extras["encoder_path"] = task.encoder_path
        reporter.progress(
            0.0,
            f"{name}: preparing "
            f"({cfg.protocol}, {len(task.folds)} fold(s), {len(task.clips)} clips, labels {task.labels})",
        )
        if task.ties:
            reporter.log(f"labels {task.labels}: {task.ties} clip(s) left out, coders tie")
        computing = time.perf_counter()
        prepared = task.spec.prepare(context)
        check_cancel(reporter)
        folds_reporter = SubReporter(reporter, 0.6, 0.97, f"{name} · {cfg.protocol} folds")
        results = run_folds(task.spec, prepared, task.folds, folds_reporter, executor, cfg.runtime)
    artifacts = [(k, Path(p), m) for k, p, m in context.extras.get("artifacts", [])]
    artifacts.append(
        (LABELS_KIND, task.labels_path, json.loads(task.labels_path.read_text(encoding="utf-8")))
    )
    reused = tuple(context.extras.get("reused_stages", ()))
    return VariantComputed(results, artifacts, peak_rss_mib(), time.perf_counter() - computing, reused)


def compute_in_worker(tasks: tuple[VariantTask, ...]) -> list[VariantComputed]:
    """A pool worker's task: whole runs (one, or FIR then FULL of one seed: see ``worker_groups``), each
    with its folds one after another in that worker."""
    with sharing_trained_stages():
        return [compute_variant(task) for task in tasks]


def record_variant(task: VariantTask, computed: VariantComputed) -> VariantOutcome:
    """Write the run's predictions, metrics and artefacts in one transaction; returns its outcome."""
    overall, fold_uf1 = record_loso(
        task.db_url, task.run_id, task.clips, computed.results, LABELS_ME, computed.artifacts
    )
    return VariantOutcome(
        task.run_id,
        task.spec.name,
        task.seed,
        overall.uf1,
        overall.uar,
        overall.accuracy,
        fold_uf1,
        [c.label for c in task.clips],
    )


def _outcome_line(outcome: VariantOutcome, computed: VariantComputed) -> str:
    reused = computed.reused_stages
    return (
        f"{outcome.variant} seed {outcome.seed}: UF1 {outcome.uf1:.3f}  UAR {outcome.uar:.3f}  "
        f"({outcome.run_id})"
        + (f"  · encoder stage(s) {' → '.join(reused)} reused (same seed, config, images)" if reused else "")
    )


def run_variant(
    db_url: str,
    variant: str,
    seed: int,
    cfg: AblationConfig,
    reporter: Reporter | None = None,
    job_id: int | None = None,
    parent_id: str | None = None,
    encoder_path: str | None = None,
    executor: Executor | None = None,
) -> VariantOutcome:
    """Prepare the variant once (e.g. train its encoder), run stage 3 over the folds of
    ``cfg.protocol`` (LOSO, the MEGC 2019 composite's LOSO, or one cross-dataset fold) through
    ``executor``, store everything."""
    reporter = reporter or NullReporter()
    task = start_variant(db_url, variant, seed, cfg, job_id, parent_id, encoder_path, executor)
    started = time.perf_counter()
    try:
        computed = compute_variant(task, reporter, executor)
        outcome = record_variant(task, computed)
    except BaseException as error:
        _close_unfinished(db_url, task.run_id, error, started)
        raise
    finish_run(db_url, task.run_id, "succeeded", started)
    reporter.progress(1.0, f"{variant} seed {seed} done")
    reporter.log(_outcome_line(outcome, computed))
    return outcome


def _pooled_variants(
    db_url: str,
    cfg: AblationConfig,
    pool: LocalExecutor,
    reporter: Reporter,
    job_id: int | None,
    parent_id: str,
) -> list[VariantOutcome]:
    """Every variant × seed on the worker pool, as the tasks of ``worker_groups`` (longest first; FULL
    with FIR of its seed). Runs are created in the parent just before their task starts and recorded
    here as tasks finish, so the catalog is written by one process; outcomes come back in the
    sequential order. A run whose task did not finish (cancel, a dead worker, an error) is closed as
    cancelled or failed, never left running."""
    arms = ablation_arms(cfg)
    total = len(arms)
    groups = worker_groups(arms)
    created: list[tuple[VariantTask, ...]] = []  # the tasks of each group, as they were started
    open_runs: dict[str, float] = {}  # run id → start, for runs created and not yet recorded
    outcomes: dict[int, VariantOutcome] = {}

    def tasks() -> Iterator[tuple[VariantTask, ...]]:
        for group in groups:
            started = []
            for arm in group:
                one = replace(cfg, labels=(arm.labels,))
                task = start_variant(db_url, arm.variant, arm.seed, one, job_id, parent_id, executor=pool)
                open_runs[task.run_id] = time.perf_counter()
                if task.ties:
                    reporter.log(f"labels {task.labels}: {task.ties} clip(s) left out, coders tie")
                run = f"run {len(open_runs) + len(outcomes)}/{total} · {arm.variant} seed {arm.seed}"
                reporter.progress(len(outcomes) / total, f"{run}: started in a worker")
                started.append(task)
            created.append(tuple(started))
            yield tuple(started)

    try:
        with closing(pool.imap(compute_in_worker, tasks(), cfg.runtime.threads, reporter)) as computed:
            for index, results in enumerate(computed):
                for arm, task, result in zip(groups[index], created[index], results, strict=True):
                    outcome = record_variant(task, result)
                    outcome = replace(outcome, variant=arm_name(outcome.variant, task.labels))
                    open_runs.pop(task.run_id)
                    # its own computing time, not its wait in the queue or behind its group's first run
                    finish_run(db_url, task.run_id, "succeeded", time.perf_counter() - result.compute_s)
                    outcomes[arm.index] = outcome
                    reporter.progress(
                        len(outcomes) / total,
                        f"run {len(outcomes)}/{total} · {outcome.variant} seed {outcome.seed} done "
                        f"(worker peak memory {result.peak_rss_mib:.0f} MiB)",
                    )
                    reporter.log(_outcome_line(outcome, result))
    except BaseException as error:
        for run_id, started_at in open_runs.items():
            _close_unfinished(db_url, run_id, error, started_at)
        raise
    return [outcomes[arm.index] for arm in arms]


def _close_unfinished(db_url: str, run_id: str, error: BaseException, started: float) -> None:
    """A run that did not finish: its outputs removed (no half-written run folder, and on a full disk
    room to record this), then marked cancelled or failed — if the catalog cannot take even that, the
    job's end marks its runs."""
    discard_outputs(run_id)
    with contextlib.suppress(CatalogFault), faults_as_errors():
        finish_run(db_url, run_id, _final_status(error), started)


def selection_of(variant: str, cfg: AblationConfig) -> str:
    """How this run picks its epochs, as its record says it: ``leakage_safe`` or the FLAWED label."""
    oracle = (
        get_variant(variant).audit
        or cfg.sequence.selection == TEST_SUBJECT_ORACLE
        or dict(cfg.baselines).get("selection") == TEST_SUBJECT_ORACLE
    )
    return FLAWED_LABEL if oracle else LEAKAGE_SAFE


def run_ablation(
    db_url: str,
    cfg: AblationConfig,
    reporter: Reporter | None = None,
    job_id: int | None = None,
    executor: Executor | None = None,
) -> tuple[str, dict]:
    """Variants × seeds, each a child run under one parent; returns (parent run id, comparison)."""
    reporter = reporter or NullReporter()
    for v in cfg.variants:
        get_variant(v)
    with session_scope(db_url) as session:
        for labels in cfg.labels:  # every source is checked before any run exists
            protocol_selection(session, cfg, labels)
    device = resolve_device(cfg.device)
    names = list(dict.fromkeys([n for v in cfg.variants for n in _datasets(cfg, v)]))
    parent = create_run(
        db_url,
        "ablation",
        {**cfg.to_dict(), "device": str(device)},
        names,
        str(device),
        job_id=job_id,
        name=f"ablation {'/'.join(cfg.variants)} × {len(cfg.seeds)} seed(s)"
        + ("" if cfg.labels == (DEFAULT_LABELS,) else f" × labels {'/'.join(cfg.labels)}"),
        execution=execution_record(executor),
    )
    started = time.perf_counter()
    outcomes: list[VariantOutcome] = []
    arms = ablation_arms(cfg)
    total = len(arms)
    try:
        if isinstance(executor, LocalExecutor) and executor.workers > 1 and total > 1:
            # whole runs spread over the local pool (Ray spreads folds: its tasks may be on machines
            # without this catalog and run folder)
            outcomes = _pooled_variants(db_url, cfg, executor, reporter, job_id, parent)
        else:
            with sharing_trained_stages():  # FULL starts from FIR's encoder of the same seed
                for arm in arms:
                    check_cancel(reporter)
                    i = arm.index
                    sub = SubReporter(reporter, i / total, (i + 1) / total, f"run {i + 1}/{total}")
                    one = replace(cfg, labels=(arm.labels,))
                    outcome = run_variant(
                        db_url, arm.variant, arm.seed, one, sub, job_id, parent, executor=executor
                    )
                    outcomes.append(replace(outcome, variant=arm_name(arm.variant, arm.labels)))
        chance = chance_levels(outcomes[0].truth, LABELS_ME) if outcomes else None
        reference = arm_name(REFERENCE, cfg.labels[0])  # FULL on the first label source
        comparison = compare_outcomes(outcomes, chance, reference)
        path = run_dir(parent) / "comparison.json"
        write_comparison(path, comparison)
        with session_scope(db_url) as session:
            add_artifact(session, parent, COMPARISON_KIND, path)
            for v, row in comparison["variants"].items():
                for name in ("uf1_mean", "uf1_sd", "uar_mean", "uar_sd"):
                    if row[name] is not None:  # one seed has no sd: no row, rather than a made-up 0
                        session.add(
                            Metric(run_id=parent, scope=f"variant:{v}", name=name, value=float(row[name]))
                        )
    except BaseException as error:
        finish_run(db_url, parent, _final_status(error), started)
        raise
    finish_run(db_url, parent, "succeeded", started)
    return parent, comparison
