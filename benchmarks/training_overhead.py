"""How much a generated project costs over bare Lightning and over a plain PyTorch loop.

Generates a project with the default answers, then, in this one process and alternating the
sides over several repeats, times N epochs of the same model on the same data with:
- template: the generated project as it trains from `python main.py`, built by its own
  `components.building` builders (settings, data module, model, a fit Trainer with the loggers of
  the default tracker, callbacks, progress bar);
- lightning: the same model and data module under a bare `pl.Trainer`: validation and one
  checkpoint every epoch, no logger, no progress bar;
- plain: a PyTorch loop with the same model, data, batch size, optimizer and schedule, its data
  resident on the device, a validation pass and a checkpoint save every epoch, nothing else.

The `images` configuration runs in a child process of this script (`--data-kind images`),
since an image project has its own `config`, `components` and `models` modules: a project
generated with `data_kind=images`, whose data module decodes PNGs per item in DataLoader
workers. Its plain loop iterates that data module's own train and validation DataLoaders (the
same files, decoding, transforms, workers, sampler and batches), moving each batch to the
device; their persistent workers start before the clock, as Lightning's set-up starts them.

The Lightning sides are timed from the first epoch's start to the end of training (validation
and checkpoints included); the template's whole `fit` call, with its one-off set-up and
tear-down, is shown beside. Every configuration (a row of CONFIGURATIONS: settings changed in the
generated project) gets `ratio_<name>` = template / plain; `template_over_lightning` is template
/ lightning on the default configuration. The sides of a repeat run back to back, in an order
that turns with each repeat; seconds are medians over the repeats, and ratios medians of each
repeat's ratio. The last line reads
`ratio_default=<x> ratio_compute=<y> template_over_lightning=<z> ratio_images=<w>`.

    python benchmarks/training_overhead.py [--epochs 5] [--repeats 6] [--device cuda|cpu]
        [--threads N] [--clock wall|cpu]
"""

import argparse
import contextlib
import gc
import io
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import copier
import pytorch_lightning as pl
import torch
import torch.nn.functional as F

TEMPLATE = Path(__file__).resolve().parents[1]
# wall: elapsed time, what a user waits. cpu: CPU time of this process, all its threads (the
# trackers' background writers too): steadier on a machine shared with other work, but blind to
# waits on the disk or a GPU, and on the image configuration's DataLoader workers.
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = CLOCKS["wall"]


@dataclass(frozen=True)
class Configuration:
    """One row of the results: settings changed in the generated project before every side."""

    name: str
    settings: dict = field(default_factory=dict)
    # The copier answer the project is generated with; "images" runs in a child process.
    data_kind: str = "table"


CONFIGURATIONS = (
    Configuration("default"),
    # Wide enough that the steps' compute dominates the fixed cost per step.
    Configuration("compute", {"model.classification.network.hidden_dim": 2048}),
    Configuration("images", data_kind="images"),
)


def generate(destination: Path, data_kind: str) -> Path:
    copier.run_copy(
        str(TEMPLATE),
        str(destination),
        data={"data_kind": data_kind},
        defaults=True,
        vcs_ref="HEAD",
        quiet=True,
        unsafe=False,
    )
    return destination


def project_settings(project: Path, configuration, epochs: int, device: str, output_dir: Path):
    from config import load_settings, validate

    settings = load_settings()
    settings.set("output_dir", str(output_dir))
    settings.set("data.dir", str(project / "data"))
    settings.set("trainer.max_epochs", epochs)
    settings.set("trainer.accelerator", "gpu" if device == "cuda" else "cpu")
    settings.set("trainer.devices", 1)
    # Same number of epochs on every side.
    settings.set("callbacks.early_stopping.enabled", False)
    for key, value in configuration.settings.items():
        settings.set(key, value)
    return validate(settings)


def settle() -> None:
    """Leave the next side a machine as quiet as the last one had: the previous side's garbage
    collected and its checkpoints written to disk, so that neither happens on the next side's
    clock."""
    gc.collect()
    if hasattr(os, "sync"):
        os.sync()


def synchronize(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


class EpochTimer(pl.Callback):
    """Wall time from the first epoch's start to the end of training: every epoch's validation,
    checkpoint and logging included; the Trainer's one-off set-up and tear-down left out."""

    def __init__(self, device: str) -> None:
        self.device = device

    def on_train_epoch_start(self, trainer, pl_module) -> None:
        if trainer.current_epoch == 0:
            synchronize(self.device)
            self.start = clock()

    def on_train_end(self, trainer, pl_module) -> None:
        synchronize(self.device)
        self.seconds = clock() - self.start


def fit_quietly(trainer: pl.Trainer, model, datamodule) -> None:
    """Fit as usual; what the run prints (progress bar included) stays out of the results."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        trainer.fit(model, datamodule=datamodule)


def build(settings, stage: str | None = "fit"):
    """The generated project's data module and model (and a Trainer for `stage`), as `train`
    builds them."""
    from components.building import build_datamodule, build_model, build_trainer, prepare_run

    prepare_run(settings)
    datamodule = build_datamodule(settings)
    model = build_model(settings, datamodule)
    return datamodule, model, build_trainer(settings, stage, model) if stage else None


def time_template(settings, device: str) -> tuple[float, float]:
    """(seconds of the epochs, seconds of the whole `fit` call) of the generated project."""
    datamodule, model, trainer = build(settings)
    timer = EpochTimer(device)
    trainer.callbacks.append(timer)
    start = clock()
    fit_quietly(trainer, model, datamodule)
    return timer.seconds, clock() - start


def time_lightning(settings, device: str) -> float:
    """Seconds of the epochs under a bare Trainer; its default ModelCheckpoint saves every epoch."""
    datamodule, model, _ = build(settings, stage=None)  # the same model and data module
    timer = EpochTimer(device)
    trainer = pl.Trainer(
        max_epochs=settings.trainer.max_epochs,
        accelerator=settings.trainer.accelerator,
        devices=1,
        precision=settings.trainer.precision,
        default_root_dir=settings.output_dir,
        logger=False,
        enable_progress_bar=False,
        callbacks=[timer],
    )
    fit_quietly(trainer, model, datamodule)
    return timer.seconds


def resident(loader, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Every (features, targets) batch of `loader`, joined and moved to the device once."""
    features, targets = zip(*((batch[0], batch[1]) for batch in loader), strict=True)
    return torch.cat(features).to(device), torch.cat(targets).to(device)


def resident_batches(datamodule, settings, device: str):
    """Train and validation batches sliced from tensors resident on the device: a plain loop's
    fastest way to serve a table that fits in memory."""
    train_x, train_y = resident(datamodule.train_dataloader(), device)
    val_x, val_y = resident(datamodule.val_dataloader(), device)
    batch = settings.data.batch_size
    generator = torch.Generator().manual_seed(settings.seed)

    def train(epoch: int):
        order = torch.randperm(len(train_x), generator=generator).to(device)
        for first in range(0, len(order), batch):
            rows = order[first : first + batch]
            yield train_x[rows], train_y[rows]

    def val():
        for first in range(0, len(val_x), batch):
            yield val_x[first : first + batch], val_y[first : first + batch]

    return train, val


def loader_batches(datamodule, settings, device: str):
    """Train and validation batches from the data module's own DataLoaders (the same files,
    decoding, transforms, workers and sampler), moved to the device."""
    train_loader, val_loader = datamodule.train_dataloader(), datamodule.val_dataloader()
    # Start the persistent workers before the clock, as Lightning's set-up and validation
    # sanity check do, which the Lightning sides' epoch timer leaves out too.
    next(iter(train_loader))
    next(iter(val_loader))

    def on_device(loader):
        for features, targets in loader:
            yield features.to(device, non_blocking=True), targets.to(device, non_blocking=True)

    def train(epoch: int):
        train_loader.sampler.set_epoch(epoch)
        return on_device(train_loader)

    return train, lambda: on_device(val_loader)


def time_plain(settings, device: str, batches=resident_batches) -> float:
    """Seconds of the epochs of a plain PyTorch loop doing the same work: training, a
    validation pass, a scheduler step and a checkpoint save every epoch, and nothing else."""
    from models.base_model.optimization import build_optimizer, build_scheduler

    # The same model and data, untouched by Lightning.
    datamodule, model, _ = build(settings, stage=None)
    model.to(device)
    train_batches, val_batches = batches(datamodule, settings, device)
    optimizer = build_optimizer(model.parameters(), dict(settings.optimizer))
    scheduler = build_scheduler(optimizer, dict(settings.scheduler), settings.trainer.max_epochs)
    output_dir = Path(settings.output_dir) / "plain"
    output_dir.mkdir(parents=True, exist_ok=True)

    synchronize(device)
    start = clock()
    for epoch in range(settings.trainer.max_epochs):
        model.train()
        for features, targets in train_batches(epoch):
            loss = F.cross_entropy(model(features), targets)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        model.eval()
        correct, total = 0, 0.0
        with torch.no_grad():
            for features, targets in val_batches():
                logits = model(features)
                total += F.cross_entropy(logits, targets, reduction="sum")
                # Summed on the device, as torchmetrics does: no wait for the GPU per batch.
                correct += (logits.argmax(-1) == targets).sum()
        if scheduler is not None:
            scheduler.step()
        torch.save(
            {"model": model.state_dict(), "optimizer": optimizer.state_dict()},
            output_dir / "plain.ckpt",
        )
    synchronize(device)
    return clock() - start


SIDES = ("template", "lightning", "plain")


def measure(project: Path, configuration, args, scratch: Path) -> dict[str, float]:
    """Medians over the repeats of each side's seconds and of each repeat's ratios.

    The sides of a repeat run back to back, each repeat in another order, so that a machine that
    slows down for a while slows every side of the repeats it falls in, and no side always runs
    right after another; a ratio within one repeat is steadier than a ratio of medians.
    """
    times: dict[str, list[float]] = {"template": [], "fit": [], "lightning": [], "plain": []}
    ratios: dict[str, list[float]] = {"/plain": [], "/lightning": []}
    batches = loader_batches if configuration.data_kind == "images" else resident_batches
    for repeat in range(args.repeats + 1):
        seconds = {}
        for side in SIDES[repeat % 3 :] + SIDES[: repeat % 3]:
            output_dir = scratch / f"{configuration.name}-{repeat}" / side
            settings = project_settings(
                project, configuration, args.epochs, args.device, output_dir
            )
            settle()
            if side == "template":
                seconds["template"], seconds["fit"] = time_template(settings, args.device)
            elif side == "lightning":
                seconds["lightning"] = time_lightning(settings, args.device)
            else:
                seconds["plain"] = time_plain(settings, args.device, batches)
        if repeat:  # the first repeat warms caches and lazy imports up
            for side, values in times.items():
                values.append(seconds[side])
            ratios["/plain"].append(seconds["template"] / seconds["plain"])
            ratios["/lightning"].append(seconds["template"] / seconds["lightning"])
    return {name: statistics.median(values) for name, values in {**times, **ratios}.items()}


ROW = "{:<14}{:>11.3f}{:>8.3f}{:>12.3f}{:>9.3f}{:>8.2f}{:>11.2f}"


def row(name: str, medians: dict[str, float]) -> str:
    return ROW.format(
        name,
        medians["template"],
        medians["fit"],
        medians["lightning"],
        medians["plain"],
        medians["/plain"],
        medians["/lightning"],
    )


def measure_in_child(data_kind: str, configurations) -> list[str]:
    """Run this script with the same options on the `data_kind` configurations only, in a
    project of their own; print their rows and return their `ratio_<name>=<x>` words."""
    command = [sys.executable, __file__, *sys.argv[1:], "--data-kind", data_kind]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode:
        sys.exit(f"the {data_kind} configurations failed:\n{completed.stderr}")
    lines = completed.stdout.splitlines()
    names = {c.name for c in configurations if c.data_kind == data_kind}
    print(*(line for line in lines[:-1] if line.split(" ", 1)[0] in names), sep="\n")
    return lines[-1].split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument(
        "--repeats",
        type=int,
        default=6,
        help="timed repeats after one warm-up; a multiple of 3 runs each side in each place "
        "of the order equally often",
    )
    parser.add_argument(
        "--device",
        choices=("cuda", "cpu"),
        default="cuda" if torch.cuda.is_available() else "cpu",
        help="where every side trains (default: cuda when available)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=torch.get_num_threads(),
        help="CPU threads of torch (default: its own choice); 1 keeps a busy machine's "
        "other work from stalling every operation",
    )
    parser.add_argument("--clock", choices=tuple(CLOCKS), default="wall")
    # Set on the child process that measures the configurations of another data kind.
    parser.add_argument("--data-kind", default="table", help=argparse.SUPPRESS)
    args = parser.parse_args()
    child = args.data_kind != "table"
    torch.set_num_threads(args.threads)
    global clock
    clock = CLOCKS[args.clock]
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: no CUDA GPU is visible to torch")
    warnings.filterwarnings("ignore")
    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)

    configurations = [c for c in CONFIGURATIONS if c.data_kind == args.data_kind]
    with tempfile.TemporaryDirectory() as scratch:
        project = generate(Path(scratch) / "project", args.data_kind)
        # Run from the project's folder, as `python main.py` does: trackers write beside it.
        os.chdir(project)
        sys.path.insert(0, str(project))
        if not child:
            name = torch.cuda.get_device_name() if args.device == "cuda" else "cpu"
            print(
                f"device: {name}, {torch.get_num_threads()} CPU threads, {args.clock} clock, "
                f"torch {torch.__version__}, pytorch-lightning {pl.__version__}"
            )
            print(
                f"{'configuration':<14}{'template s':>11}{'fit s':>8}{'lightning s':>12}"
                f"{'plain s':>9}{'/plain':>8}{'/lightning':>11}"
            )
        results = {}
        for configuration in configurations:
            results[configuration.name] = measure(project, configuration, args, Path(scratch))
            print(row(configuration.name, results[configuration.name]), flush=True)
        os.chdir(TEMPLATE)
    ratios = [f"ratio_{name}={m['/plain']:.2f}" for name, m in results.items()]
    if child:
        print(" ".join(ratios))
        return
    ratios.append(f"template_over_lightning={results['default']['/lightning']:.2f}")
    for data_kind in dict.fromkeys(c.data_kind for c in CONFIGURATIONS if c.data_kind != "table"):
        ratios += measure_in_child(data_kind, CONFIGURATIONS)
    print(" ".join(ratios))


if __name__ == "__main__":
    main()
