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
dominates). The last line reads `ratio_default=<x> ratio_compute=<y>`: generated time divided by
plain-loop time, medians over the repeats.

    python benchmarks/training_overhead.py [--epochs 5] [--repeats 5]
"""

import argparse
import contextlib
import io
import logging
import os
import statistics
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


def generate(destination: Path) -> Path:
    copier.run_copy(
        str(TEMPLATE), str(destination), defaults=True, vcs_ref="HEAD", quiet=True, unsafe=False
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)
    torch.set_num_threads(torch.get_num_threads())

    with tempfile.TemporaryDirectory() as scratch:
        project = generate(Path(scratch) / "project")
        # Run from the project's folder, as `python main.py` does: trackers write beside it.
        os.chdir(project)
        sys.path.insert(0, str(project))
        ratios = {}
        print(f"{'configuration':<14}{'epochs s':>10}{'fit s':>8}{'plain s':>9}{'ratio':>7}")
        for name, overrides in CONFIGURATIONS.items():
            epochs, fits, plain = [], [], []
            for repeat in range(args.repeats + 1):
                output = Path(scratch) / f"{name}-{repeat}"
                settings = project_settings(project, overrides, args.epochs, output)
                generated = time_generated(settings)
                plain_time = time_plain(settings, output / "plain")
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
        print(f"ratio_default={ratios['default']:.2f} ratio_compute={ratios['compute']:.2f}")


if __name__ == "__main__":
    main()
