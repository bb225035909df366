"""`glimpse train`, `glimpse ablation`, `glimpse variants`: the staged training and its ablation, headless.

``train`` and ``ablation`` run as jobs (``run_as_job``): inline with a progress bar by default, or
handed to a worker with ``--queue``; either way the run shows in the Train page's job list with its log.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from db.schema import Run
from db.session import default_url, session_scope
from engine import api
from engine.cli.common import QueueOption, run_as_job, user_errors
from engine.errors import GlimpseError
from engine.evaluate.stats import ONE_SEED
from engine.train.config import AblationConfig  # importing engine.train registers every variant
from engine.train.reproduce import environment_line, run_record
from engine.train.requests import build_request
from engine.variants.registry import encoder_variant_names, get_variant, variant_names

console = Console()

# the options `train` and `ablation` share
EpochsOption = Annotated[int | None, typer.Option("--epochs", help="encoder epochs per stage")]
SeqEpochsOption = Annotated[int | None, typer.Option("--seq-epochs", help="stage-3 RNN epochs per fold")]
DeviceOption = Annotated[str, typer.Option("--device", help="auto | cpu | cuda")]
DatasetOption = Annotated[
    list[str] | None, typer.Option("--dataset", help="ME dataset(s); repeat for several")
]
TinyOption = Annotated[bool, typer.Option("--tiny", help="seconds-long smoke settings")]
ThreadsOption = Annotated[
    int | None,
    typer.Option("--threads", help="torch intra-op threads of the run, stored in its config (default 1)"),
]
ProtocolOption = Annotated[
    str,
    typer.Option(
        "--protocol",
        help="loso (over --dataset) | composite (MEGC 2019 composite of the --dataset CASME II/SMIC/SAMM "
        "sets) | cross_dataset (train on --train-dataset, test on --test-dataset)",
    ),
]
LabelsOption = Annotated[
    str,
    typer.Option(
        "--labels",
        help="label source(s) to learn from and score against: source (the release's coding) | consensus "
        "| majority (of coders; ties left out) | annotator:NAME; ablation: comma-separated, a factor",
    ),
]
TrainDatasetOption = Annotated[
    list[str] | None,
    typer.Option("--train-dataset", help="cross_dataset: ME dataset(s) to train on; repeat for several"),
]
TestDatasetOption = Annotated[
    list[str] | None,
    typer.Option("--test-dataset", help="cross_dataset: ME dataset(s) to test on; repeat for several"),
]


def _csv(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def _params(
    datasets: list[str] | None,
    device: str,
    epochs: int | None,
    seq_epochs: int | None,
    tiny: bool,
    protocol: str = "loso",
    train_datasets: list[str] | None = None,
    test_datasets: list[str] | None = None,
    threads: int | None = None,
    labels: str = "source",
) -> dict:
    base = AblationConfig.tiny() if tiny else AblationConfig()
    params = base.to_dict()
    params["device"] = device
    if datasets:
        params["me_datasets"] = datasets
    if epochs is not None:
        params["encoder"]["epochs"] = epochs
    if seq_epochs is not None:
        params["sequence"]["epochs"] = seq_epochs
    params["protocol"] = protocol
    params["train_datasets"] = list(train_datasets or [])
    params["test_datasets"] = list(test_datasets or [])
    if threads is not None:  # part of the run's config: applied inside the run, recorded with it
        params["runtime"]["threads"] = threads
    params["labels"] = _csv(labels)
    AblationConfig.from_dict(params)  # a bad protocol / dataset split fails here, before any work
    return params


def _synthetic_note(run_id: str) -> str:
    with session_scope() as session:
        run = session.get(Run, run_id)
        return " [bold yellow](SYNTHETIC data)[/bold yellow]" if run is not None and run.is_synthetic else ""


def train(
    variant: str = typer.Option(
        "full",
        "--variant",
        "--stage",
        help="a registered variant (glimpse variants lists them); --stage: old name",
    ),
    seed: int = typer.Option(0, "--seed"),
    epochs: EpochsOption = None,
    seq_epochs: SeqEpochsOption = None,
    device: DeviceOption = "auto",
    dataset: DatasetOption = None,
    tiny: TinyOption = False,
    threads: ThreadsOption = None,
    labels: LabelsOption = "source",
    protocol: ProtocolOption = "loso",
    train_dataset: TrainDatasetOption = None,
    test_dataset: TestDatasetOption = None,
    queue: QueueOption = False,
) -> None:
    """Train one variant's encoder, then evaluate stage 3 with the chosen protocol (LOSO by default);
    prints UF1/UAR."""
    settings = _params(
        dataset, device, epochs, seq_epochs, tiny, protocol, train_dataset, test_dataset, threads, labels
    )
    # checked before any job exists: the variant, the config, the label source against the catalog
    params = build_request("train", settings, variant=variant, seed=seed).to_params()
    out = run_as_job("train", params, queue, f"train {variant}")
    if out is None:
        return
    note = _synthetic_note(out["run_id"])
    console.print(
        f"run {out['run_id']}: {variant} seed {seed} labels {out['labels']}  "
        f"UF1 {out['uf1']:.3f}  UAR {out['uar']:.3f}{note}"
    )


def ablation(
    variants: str = typer.Option(
        ",".join(encoder_variant_names()),
        "--variants",
        help="comma-separated variant names (glimpse variants lists them)",
    ),
    seeds: str = typer.Option("0", "--seeds", help="comma-separated seeds, e.g. 0,1,2"),
    epochs: EpochsOption = None,
    seq_epochs: SeqEpochsOption = None,
    device: DeviceOption = "auto",
    dataset: DatasetOption = None,
    tiny: TinyOption = False,
    threads: ThreadsOption = None,
    labels: LabelsOption = "source",
    protocol: ProtocolOption = "loso",
    train_dataset: TrainDatasetOption = None,
    test_dataset: TestDatasetOption = None,
    queue: QueueOption = False,
) -> None:
    """Run variants × protocol folds (LOSO by default) × seeds and print the comparison (UF1/UAR mean ± sd
    over seeds)."""
    params = _params(
        dataset, device, epochs, seq_epochs, tiny, protocol, train_dataset, test_dataset, threads, labels
    )
    params["variants"] = _csv(variants)
    try:
        params["seeds"] = [int(s) for s in _csv(seeds)]
    except ValueError as error:
        raise GlimpseError(f"--seeds must be integers, got {seeds!r}", hint="e.g. --seeds 0,1,2") from error
    params = build_request("ablation", params).to_params()  # checked before any job exists
    out = run_as_job("ablation", params, queue, "ablation")
    if out is not None:
        print_comparison(out["run_id"])


def list_variants() -> None:
    """List the registered variants (what --variant and --variants accept), what each reads and trains."""
    table = Table("variant", "datasets", "encoder stages", "description")
    for name in variant_names():
        spec = get_variant(name)
        table.add_row(name, ", ".join(spec.datasets), " → ".join(spec.stages) or "-", spec.description)
    console.print(table)


def _mean_sd(row: api.VariantFigures, metric: str) -> str:
    """``mean ± sd``, or the mean alone when one seed gives no sd."""
    figures = row.metrics[metric]
    sd = figures.sd if len(row.seeds) > 1 else None
    return f"{figures.mean:.3f}" + (f" ± {sd:.3f}" if sd is not None else " (sd n/a)")


def _print_provenance(run_id: str) -> None:
    """What a reader needs beside the table to get the same numbers: code, numerics, environment."""
    record = run_record(default_url(), run_id)
    runtime = record.get("config", {}).get("runtime", {})
    console.print(f"code {record.get('code_version', '?')} · runtime {runtime}", highlight=False)
    console.print(f"recorded environment: {environment_line(record.get('environment', {}))}", highlight=False)
    console.print(f"check it reproduces: glimpse reproduce {run_id}", highlight=False)


def print_comparison(run_id: str) -> None:
    """The ablation table from the comparison the ablation wrote when it ended (read by artefact kind)."""
    comparison = api.comparison_document(run_id)
    if comparison is None:
        raise GlimpseError(f"run {run_id} has no comparison", hint="pass an ablation run id")
    note = _synthetic_note(run_id)
    table = Table(title=f"ablation {run_id}{note}")
    reference = comparison.reference
    for col in (
        "variant",
        "seeds",
        "UF1 mean ± sd",
        "UAR mean ± sd",
        f"{reference.upper()} − variant UF1 (p)",
    ):
        table.add_column(col)
    for v, row in comparison.variants.items():
        paired = comparison.paired.get(f"{reference}_vs_{v}", {})
        test = paired.get("by_seed_uf1") if len(row.seeds) > 1 else paired.get("by_fold_uf1")
        diff = ""
        if test:
            p = test.p_t
            diff = f"{test.mean_diff:+.3f} " + (f"(p={p:.3f})" if p is not None else "(p n/a)")
        table.add_row(v, str(len(row.seeds)), _mean_sd(row, "uf1"), _mean_sd(row, "uar"), diff)
    chance = comparison.chance
    if chance:
        table.add_row("chance: uniform", "", f"{chance.uniform_uf1:.3f}", f"{chance.uniform_uar:.3f}", "")
        table.add_row("chance: majority", "", f"{chance.majority_uf1:.3f}", f"{chance.majority_uar:.3f}", "")
    console.print(table)
    result = api.compare(ablation_id=run_id)
    for verdict in result.verdicts:  # the Compare page's sentences (p above is raw; these are corrected)
        console.print(verdict.sentence, highlight=False)
    if result.verdicts:
        console.print(result.correction, highlight=False)
    _print_provenance(run_id)
    if any(len(row.seeds) < 2 for row in comparison.variants.values()):
        console.print(
            f"sd, 95% CI and p-values: {ONE_SEED} — pass --seeds 0,1,2 (or more) to estimate them",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `glimpse` app."""
    app.command("train")(user_errors(train))
    app.command("ablation")(user_errors(ablation))
    app.command("variants")(list_variants)
