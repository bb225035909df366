"""One variant × seed evaluated with LOSO (a child run), and the ablation: variants × seeds under a parent
run with a ``comparison.json`` (spread over seeds, paired tests of FULL against every other variant)."""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import replace
from pathlib import Path

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
from engine.executor import Executor
from engine.labels import LABELS_ME
from engine.progress import Cancelled, NullReporter, Reporter, SubReporter, check_cancel
from engine.train.config import AblationConfig
from engine.train.data import protocol_selection
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
from engine.variants import FLAWED_LABEL, LEAKAGE_SAFE, TEST_SUBJECT_ORACLE, VariantContext, get_variant

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
    ``cfg.protocol`` (LOSO, the MEGC 2019 composite's LOSO, or one cross-dataset fold), store everything."""
    reporter = reporter or NullReporter()
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
    )
    labels_path = run_dir(run_id) / "labels.json"
    labels_path.write_text(json.dumps(selection.summary(), indent=2), encoding="utf-8")
    started = time.perf_counter()
    try:
        with applied_runtime(cfg.runtime):  # the run's numerics, whatever the caller's
            context = VariantContext(
                variant,
                seed,
                db_url,
                clips,
                run_dir(run_id),
                str(device),
                cfg,
                SubReporter(reporter, 0.0, 0.6, f"{variant} seed {seed} · prepare"),
            )
            if encoder_path:
                context.extras["encoder_path"] = encoder_path
            reporter.progress(
                0.0,
                f"{variant} seed {seed}: preparing "
                f"({cfg.protocol}, {len(folds)} fold(s), {len(clips)} clips, labels {labels})",
            )
            if selection.ties:
                reporter.log(f"labels {labels}: {len(selection.ties)} clip(s) left out, coders tie")
            prepared = spec.prepare(context)
            check_cancel(reporter)
            folds_reporter = SubReporter(reporter, 0.6, 0.97, f"{variant} seed {seed} · {cfg.protocol} folds")
            results = run_folds(spec, prepared, folds, folds_reporter, executor, cfg.runtime)
            artifacts = [(k, Path(p), m) for k, p, m in context.extras.get("artifacts", [])]
            artifacts.append((LABELS_KIND, labels_path, selection.summary()))
            overall, fold_uf1 = record_loso(db_url, run_id, clips, results, LABELS_ME, artifacts)
    except BaseException as error:
        discard_outputs(run_id)  # no half-written run folder (and, on a full disk, room to record this)
        with contextlib.suppress(CatalogFault), faults_as_errors():  # else the job's end marks its runs
            finish_run(db_url, run_id, _final_status(error), started)
        raise
    finish_run(db_url, run_id, "succeeded", started)
    reporter.progress(1.0, f"{variant} seed {seed} done")
    reporter.log(f"{variant} seed {seed}: UF1 {overall.uf1:.3f}  UAR {overall.uar:.3f}  ({run_id})")
    return VariantOutcome(
        run_id, variant, seed, overall.uf1, overall.uar, overall.accuracy, fold_uf1, [c.label for c in clips]
    )


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
    )
    started = time.perf_counter()
    outcomes: list[VariantOutcome] = []
    arms = [(s, lab, v) for s in cfg.seeds for lab in cfg.labels for v in cfg.variants]
    try:
        for i, (seed, labels, variant) in enumerate(arms):
            check_cancel(reporter)
            sub = SubReporter(reporter, i / len(arms), (i + 1) / len(arms), f"run {i + 1}/{len(arms)}")
            one = replace(cfg, labels=(labels,))
            outcome = run_variant(db_url, variant, seed, one, sub, job_id, parent, executor=executor)
            outcomes.append(replace(outcome, variant=arm_name(variant, labels)))
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
