"""Debug modes and profiling of the commands that train: `--debug fast|overfit|limit` and
`--profile [simple|pytorch]`, all of them Lightning's own Trainer switches."""

from pathlib import Path

DEBUG_MODES = {
    "fast": "one batch of train, validation and test; nothing written but debug.log",
    "overfit": "a few training batches, no augmentation, until they are memorised",
    "limit": "small fractions of each split, a few epochs, for a quick end-to-end run",
}
PROFILERS = ("simple", "pytorch")
# Batches that --debug overfit trains on again and again, and the epochs it gives them.
OVERFIT_BATCHES = 2
OVERFIT_EPOCHS = 150
# Share of each split's batches, and at most this many epochs, for --debug limit.
LIMIT_FRACTION = 0.25
LIMIT_EPOCHS = 3
NAME_WIDTH = 64


def apply_debug(settings, mode: str | None):
    """`settings` changed for the debug `mode` (None: unchanged).

    fast: Lightning's fast_dev_run, which itself turns off loggers and checkpoints; the tracker
    is set to csv so that no tracker run starts. overfit: Lightning's overfit_batches, no
    augmentation, no early stopping, enough epochs. limit: limit_*_batches fractions.
    """
    if mode is None:
        return settings
    trainer = {}
    if mode == "fast":
        trainer = {"fast_dev_run": 1}
        settings.set("tracker.name", "csv")
    elif mode == "overfit":
        trainer = {"overfit_batches": OVERFIT_BATCHES, "max_epochs": OVERFIT_EPOCHS}
        settings.set("callbacks.early_stopping.enabled", False)
        if "augment" in settings.data:
            settings.set("data.augment", [], merge=False)
    elif mode == "limit":
        # The fractions become batch counts once the data is split: `limit_batches`.
        trainer = {"max_epochs": min(settings.trainer.max_epochs, LIMIT_EPOCHS)}
    for key, value in trainer.items():
        settings.set(f"trainer.{key}", value)
    return settings


def limit_batches(settings, datamodule) -> None:
    """--debug limit: LIMIT_FRACTION of each split's batches, at least one. Lightning's own
    fractions refuse a split whose share rounds down to no batch at all."""
    import math

    for split in ("train", "val", "test"):
        batches = math.ceil(len(datamodule.splits[split]) / datamodule.batch_size)
        count = max(1, math.ceil(LIMIT_FRACTION * batches))
        settings.set(f"trainer.limit_{split}_batches", count)


def build_profiler(kind: str | None, output_dir: Path):
    """Lightning's profiler of `kind` writing its summary under <output_dir>/profile/ (a Chrome
    trace too for pytorch), or None."""
    if kind is None:
        return None
    from pytorch_lightning.profilers import PyTorchProfiler, SimpleProfiler

    folder = output_dir / "profile"
    if kind == "pytorch":
        return PyTorchProfiler(dirpath=folder, filename="profile", export_to_chrome=True)
    return SimpleProfiler(dirpath=folder, filename="profile", extended=False)


def most_expensive(profiler, count: int = 10) -> list[tuple[str, float]]:
    """The `count` entries of `profiler` that took the longest in total, in seconds."""
    from pytorch_lightning.profilers import SimpleProfiler

    if isinstance(profiler, SimpleProfiler):
        totals = {name: sum(times) for name, times in profiler.recorded_durations.items()}
    else:
        events = profiler.function_events
        if not events:
            return []
        totals = {
            entry.key: entry.cpu_time_total / 1e6
            for entry in events.key_averages()
            if not entry.key.startswith("ProfilerStep")
        }
    return sorted(totals.items(), key=lambda item: item[1], reverse=True)[:count]


def print_profile(profiler, output_dir: Path) -> None:
    """The ten most expensive entries of the run, and where the whole summary is."""
    # Names are cut to one line: a callback's name holds all its arguments.
    entries = [(name[:NAME_WIDTH], seconds) for name, seconds in most_expensive(profiler)]
    width = max((len(name) for name, _ in entries), default=10)
    print(f"Profile ({output_dir / 'profile'}), the {len(entries)} most expensive entries:")
    for name, seconds in entries:
        print(f"  {name:<{width}}  {seconds:10.4f} s")


def memorisation(settings, model, datamodule) -> dict[str, float]:
    """The model's metrics, in evaluation mode, on the training batches that --debug overfit
    trained on (Lightning's overfit_batches takes the first ones, in order): `train/acc` 1.0 when
    a classifier has memorised them."""
    from components.building import build_trainer

    trainer = build_trainer(settings, "validate", limit_val_batches=OVERFIT_BATCHES)
    results = trainer.validate(model, dataloaders=datamodule.loader("train"), verbose=False)
    return {f"train/{name.split('/', 1)[1]}": float(value) for name, value in results[0].items()}
