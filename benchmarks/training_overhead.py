"""How much slower a generated project trains than a plain PyTorch loop doing the same work.

Generates a project with the default answers, then, in this one process and alternating the two
sides over several repeats, times N epochs of:
- the generated project: its own settings, data module, model and Trainer
  (`components.training.build`), with validation every epoch, logging (the default tracker too),
  checkpointing and the progress bar as generated; the epochs are timed from the first epoch's
  start to the last one's end, and the whole `fit` call (the Trainer's one-off set-up included) is
  shown beside them;
- a plain loop: the same model, data, batch size, optimizer and schedule, a validation pass and
  a checkpoint save every epoch, and nothing else.

Two configurations: the default demo, and a compute-bound one (a wider model, so that compute
dominates). A third, `images`, runs in a child process (its project has its own `config` and
`components` modules): a project generated with `data_kind=images` against a plain loop over the
same data module's DataLoaders, so the same files, transforms, workers, sampler and batch size.
The last line reads `ratio_default=<x> ratio_compute=<y> ratio_images=<z>`: generated time divided
by plain-loop time, medians over the repeats.

    python benchmarks/training_overhead.py [--epochs 5] [--repeats 5] [--data-kind images]
"""

import argparse
import contextlib
import io
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import copier
import torch
import torch.nn.functional as F
from pytorch_lightning import Callback

TEMPLATE = Path(__file__).resolve().parents[1]
CONFIGURATIONS = {
    "default": {},
    "compute": {"model.classification.hidden_dim": 2048},
}


# The image configuration, in a project generated with data_kind=images (see images_ratio).
IMAGE_CONFIGURATIONS = {"images": {}}


def generate(destination: Path, **answers) -> Path:
    copier.run_copy(
        str(TEMPLATE),
        str(destination),
        data=answers,
        defaults=True,
        vcs_ref="HEAD",
        quiet=True,
        unsafe=False,
    )
    return destination


def project_settings(project: Path, overrides: dict, epochs: int, output_dir: Path):
    from config import load_settings, validate

    settings = load_settings()
    settings.set("output_dir", str(output_dir))
    settings.set("data.dir", str(project / "data"))
    settings.set("trainer.max_epochs", epochs)
    settings.set("trainer.accelerator", "cpu")
    # Same number of epochs on both sides.
    settings.set("callbacks.early_stopping.enabled", False)
    for key, value in overrides.items():
        settings.set(key, value)
    return validate(settings)


class EpochTimer(Callback):
    """Wall time from the first epoch's start to the last epoch's end, validation and
    checkpointing included; the Trainer's one-off set-up and tear-down are timed apart."""

    def on_train_epoch_start(self, trainer, pl_module) -> None:
        if trainer.current_epoch == 0:
            self.start = time.perf_counter()

    def on_train_epoch_end(self, trainer, pl_module) -> None:
        self.end = time.perf_counter()


def time_generated(settings) -> tuple[float, float]:
    """(seconds of the N epochs, seconds of the whole `fit` call)."""
    from components.training import build

    datamodule, model, trainer = build(settings)
    timer = EpochTimer()
    trainer.callbacks.append(timer)
    start = time.perf_counter()
    # The progress bar draws as in a real run; its output is kept out of the benchmark's table.
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        trainer.fit(model, datamodule=datamodule)
    return timer.end - timer.start, time.perf_counter() - start


def time_plain(settings, output_dir: Path) -> float:
    from components.training import build
    from models.base_model.optimization import build_optimizer, build_scheduler

    datamodule, model, _ = build(settings)  # the same model and data, untouched by Lightning
    train_x, train_y = datamodule.splits["train"].tensors
    val_x, val_y = datamodule.splits["val"].tensors
    batch = settings.data.batch_size
    optimizer = build_optimizer(model.parameters(), dict(settings.optimizer))
    scheduler = build_scheduler(optimizer, dict(settings.scheduler), settings.trainer.max_epochs)
    generator = torch.Generator().manual_seed(settings.seed)
    output_dir.mkdir(parents=True, exist_ok=True)

    start = time.perf_counter()
    for _ in range(settings.trainer.max_epochs):
        model.train()
        order = torch.randperm(len(train_x), generator=generator)
        for first in range(0, len(order), batch):
            rows = order[first : first + batch]
            loss = F.cross_entropy(model(train_x[rows]), train_y[rows])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        model.eval()
        correct, total = 0, 0.0
        with torch.no_grad():
            for first in range(0, len(val_x), batch):
                logits = model(val_x[first : first + batch])
                total += F.cross_entropy(logits, val_y[first : first + batch], reduction="sum")
                correct += int((logits.argmax(-1) == val_y[first : first + batch]).sum())
        if scheduler is not None:
            scheduler.step()
        torch.save(
            {"model": model.state_dict(), "optimizer": optimizer.state_dict()},
            output_dir / "plain.ckpt",
        )
    return time.perf_counter() - start


def time_plain_images(settings, output_dir: Path) -> float:
    """A plain loop over the image data module's own DataLoaders: the same files, decoding,
    transforms, worker processes, sampler and batches as the generated project's epochs."""
    from components.training import build
    from models.base_model.optimization import build_optimizer, build_scheduler

    datamodule, model, _ = build(settings)
    train_loader, val_loader = datamodule.train_dataloader(), datamodule.val_dataloader()
    optimizer = build_optimizer(model.parameters(), dict(settings.optimizer))
    scheduler = build_scheduler(optimizer, dict(settings.scheduler), settings.trainer.max_epochs)
    output_dir.mkdir(parents=True, exist_ok=True)
    # Start the persistent workers before the clock, as Lightning does in its set-up and
    # validation sanity check, which the generated side's epoch timer leaves out too.
    next(iter(train_loader))
    next(iter(val_loader))

    start = time.perf_counter()
    for epoch in range(settings.trainer.max_epochs):
        train_loader.sampler.set_epoch(epoch)
        model.train()
        for images, targets in train_loader:
            loss = F.cross_entropy(model(images), targets)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        model.eval()
        correct, total = 0, 0.0
        with torch.no_grad():
            for images, targets in val_loader:
                logits = model(images)
                total += F.cross_entropy(logits, targets, reduction="sum")
                correct += int((logits.argmax(-1) == targets).sum())
        if scheduler is not None:
            scheduler.step()
        torch.save(
            {"model": model.state_dict(), "optimizer": optimizer.state_dict()},
            output_dir / "plain.ckpt",
        )
    return time.perf_counter() - start


def images_ratio(args) -> float:
    """Run the image configuration in a child process; return its ratio."""
    command = [sys.executable, __file__, "--data-kind", "images"]
    command += ["--epochs", str(args.epochs), "--repeats", str(args.repeats)]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    print(completed.stdout.splitlines()[1])
    return float(completed.stdout.split("ratio_images=")[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--data-kind",
        choices=["table", "images"],
        default="table",
        help="images: only the image configuration (the table run starts it itself)",
    )
    args = parser.parse_args()
    images = args.data_kind == "images"
    configurations = IMAGE_CONFIGURATIONS if images else CONFIGURATIONS
    warnings.filterwarnings("ignore")
    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)
    torch.set_num_threads(torch.get_num_threads())

    with tempfile.TemporaryDirectory() as scratch:
        project = generate(Path(scratch) / "project", data_kind=args.data_kind)
        # Run from the project's folder, as `python main.py` does: trackers write beside it.
        os.chdir(project)
        sys.path.insert(0, str(project))
        ratios = {}
        print(f"{'configuration':<14}{'epochs s':>10}{'fit s':>8}{'plain s':>9}{'ratio':>7}")
        for name, overrides in configurations.items():
            epochs, fits, plain = [], [], []
            for repeat in range(args.repeats + 1):
                output = Path(scratch) / f"{name}-{repeat}"
                settings = project_settings(project, overrides, args.epochs, output)
                generated = time_generated(settings)
                plain_side = time_plain_images if images else time_plain
                plain_time = plain_side(settings, output / "plain")
                if repeat:  # the first repeat warms caches and lazy imports up
                    epochs.append(generated[0])
                    fits.append(generated[1])
                    plain.append(plain_time)
            ratios[name] = statistics.median(epochs) / statistics.median(plain)
            print(
                f"{name:<14}{statistics.median(epochs):>10.3f}{statistics.median(fits):>8.3f}"
                f"{statistics.median(plain):>9.3f}{ratios[name]:>7.2f}"
            )
        os.chdir(TEMPLATE)
        if images:
            print(f"ratio_images={ratios['images']:.2f}")
            return
        ratio_images = images_ratio(args)
        print(
            f"ratio_default={ratios['default']:.2f} ratio_compute={ratios['compute']:.2f} "
            f"ratio_images={ratio_images:.2f}"
        )


if __name__ == "__main__":
    main()
