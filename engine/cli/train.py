"""`glimpse train`, `glimpse ablation`, `glimpse export`: the staged training and its ablation, headless.

``train`` and ``ablation`` run as jobs (``run_as_job``): inline with a progress bar by default, or
handed to a worker with ``--queue``; either way the run shows in the Train page's job list with its log.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import torch
import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from db.schema import Artifact, Run
from db.session import session_scope
from engine import api
from engine.cli.common import QueueOption, run_as_job, user_errors
from engine.errors import GlimpseError
from engine.paths import glimpse_home, resolve_within
from engine.train.config import AblationConfig  # importing engine.train registers every variant
from engine.variants import get_variant, variant_names

# the ablation's default: every variant that trains an encoder (the paper's FIR/ER/MIXT/FULL)
ENCODER_VARIANTS = ",".join(name for name in variant_names() if get_variant(name).stages)

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
    int | None, typer.Option("--threads", help="torch CPU threads (1 is best on a busy machine)")
]
ProtocolOption = Annotated[
    str,
    typer.Option(
        "--protocol",
        help="loso (over --dataset) | composite (MEGC 2019 composite of the --dataset CASME II/SMIC/SAMM "
        "sets) | cross_dataset (train on --train-dataset, test on --test-dataset)",
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
    AblationConfig.from_dict(params)  # a bad protocol / dataset split fails here, before any work
    return params


def _threads(threads: int | None) -> None:
    if threads is not None:
        if threads < 1:
            raise GlimpseError("--threads must be at least 1")
        torch.set_num_threads(threads)


def _synthetic_note(run_id: str) -> str:
    with session_scope() as session:
        run = session.get(Run, run_id)
        return " [bold yellow](SYNTHETIC data)[/bold yellow]" if run is not None and run.is_synthetic else ""


def train(
    stage: str = typer.Option("full", "--stage", help="a registered variant (glimpse variants lists them)"),
    seed: int = typer.Option(0, "--seed"),
    epochs: EpochsOption = None,
    seq_epochs: SeqEpochsOption = None,
    device: DeviceOption = "auto",
    dataset: DatasetOption = None,
    tiny: TinyOption = False,
    threads: ThreadsOption = None,
    protocol: ProtocolOption = "loso",
    train_dataset: TrainDatasetOption = None,
    test_dataset: TestDatasetOption = None,
    queue: QueueOption = False,
) -> None:
    """Train one variant's encoder, then evaluate stage 3 with the chosen protocol (LOSO by default);
    prints UF1/UAR."""
    _threads(threads)
    get_variant(stage)  # an unknown name fails before any job exists
    params = {
        **_params(dataset, device, epochs, seq_epochs, tiny, protocol, train_dataset, test_dataset),
        "variant": stage,
        "seed": seed,
    }
    out = run_as_job("train", params, queue, f"train {stage}")
    if out is None:
        return
    note = _synthetic_note(out["run_id"])
    console.print(
        f"run {out['run_id']}: {stage} seed {seed}  UF1 {out['uf1']:.3f}  UAR {out['uar']:.3f}{note}"
    )


def ablation(
    variants: str = typer.Option(
        ENCODER_VARIANTS, "--variants", help="comma-separated variant names (glimpse variants lists them)"
    ),
    seeds: str = typer.Option("0", "--seeds", help="comma-separated seeds, e.g. 0,1,2"),
    epochs: EpochsOption = None,
    seq_epochs: SeqEpochsOption = None,
    device: DeviceOption = "auto",
    dataset: DatasetOption = None,
    tiny: TinyOption = False,
    threads: ThreadsOption = None,
    protocol: ProtocolOption = "loso",
    train_dataset: TrainDatasetOption = None,
    test_dataset: TestDatasetOption = None,
    queue: QueueOption = False,
) -> None:
    """Run variants × protocol folds (LOSO by default) × seeds and print the comparison (UF1/UAR mean ± sd
    over seeds)."""
    _threads(threads)
    params = _params(dataset, device, epochs, seq_epochs, tiny, protocol, train_dataset, test_dataset)
    params["variants"] = _csv(variants)
    try:
        params["seeds"] = [int(s) for s in _csv(seeds)]
    except ValueError as error:
        raise GlimpseError(f"--seeds must be integers, got {seeds!r}", hint="e.g. --seeds 0,1,2") from error
    if not params["variants"] or not params["seeds"]:
        raise GlimpseError("give at least one variant and one seed")
    for name in params["variants"]:
        get_variant(name)
    out = run_as_job("ablation", params, queue, "ablation")
    if out is not None:
        print_comparison(out["run_id"])


def list_variants() -> None:
    """List the registered variants (what --stage and --variants accept), what each reads and trains."""
    table = Table("variant", "datasets", "encoder stages", "description")
    for name in variant_names():
        spec = get_variant(name)
        table.add_row(name, ", ".join(spec.datasets), " → ".join(spec.stages) or "-", spec.description)
    console.print(table)


def print_comparison(run_id: str) -> None:
    """The ablation table from the comparison the ablation wrote when it ended (read by artefact kind)."""
    comparison = api.comparison_document(run_id)
    if comparison is None:
        raise GlimpseError(f"run {run_id} has no comparison", hint="pass an ablation run id")
    note = _synthetic_note(run_id)
    table = Table(title=f"ablation {run_id}{note}")
    for col in ("variant", "seeds", "UF1 mean ± sd", "UAR mean ± sd", "FULL − variant UF1 (p)"):
        table.add_column(col)
    for v, row in comparison["variants"].items():
        paired = comparison.get("paired", {}).get(f"full_vs_{v}", {})
        test = paired.get("by_seed_uf1") if len(row["seeds"]) > 1 else paired.get("by_fold_uf1")
        diff = ""
        if test:
            p = test.get("p_t")
            diff = f"{test['mean_diff']:+.3f}" + (f" (p={p:.3f})" if p is not None else "")
        table.add_row(
            v,
            str(len(row["seeds"])),
            f"{row['uf1_mean']:.3f} ± {row['uf1_sd']:.3f}",
            f"{row['uar_mean']:.3f} ± {row['uar_sd']:.3f}",
            diff,
        )
    chance = comparison.get("chance")
    if chance:
        table.add_row(
            "chance: uniform", "", f"{chance['uniform_uf1']:.3f}", f"{chance['uniform_uar']:.3f}", ""
        )
        table.add_row(
            "chance: majority", "", f"{chance['majority_uf1']:.3f}", f"{chance['majority_uar']:.3f}", ""
        )
    console.print(table)


def export(
    run_id: str = typer.Argument(..., help="a run with predictions (train run or ablation child)"),
    out: Path = typer.Option(..., "--out", help="folder to copy the MEGC log and predictions CSV into"),
) -> None:
    """Copy a run's MEGC 2019 log and predictions CSV to a folder of your choice."""

    with session_scope() as session:
        arts = list(
            session.scalars(
                select(Artifact).where(
                    Artifact.run_id == run_id, Artifact.kind.in_(("megc_log", "predictions_csv"))
                )
            )
        )
    if not arts:
        raise GlimpseError(
            f"run {run_id} has no MEGC log or predictions", hint="pass a train/ablation child run id"
        )
    out.mkdir(parents=True, exist_ok=True)
    for art in arts:
        src = resolve_within(glimpse_home(), art.path)
        dest = out / f"{run_id}-{src.name}"
        shutil.copyfile(src, dest)
        console.print(f"wrote {dest}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `glimpse` app."""
    app.command("train")(user_errors(train))
    app.command("ablation")(user_errors(ablation))
    app.command("export")(user_errors(export))
    app.command("variants")(list_variants)
