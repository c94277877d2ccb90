"""`python main.py train`: fit the model the settings describe, test its best checkpoint, and write
the run's results."""

import json
from pathlib import Path

from components.building import build_datamodule, build_model, build_trainer, prepare_run
from components.checkpoints import saved_preprocessing
from components.debugging import (
    build_profiler,
    limit_batches,
    memorisation,
    print_profile,
)
from components.tracking import report
from utils.files import written_whole


def train(settings, debug: str | None = None, profile: str | None = None) -> dict:
    """Fit, test the best checkpoint, write metrics.json and return the test metrics.

    `debug` is a mode of components/debugging.py, already applied to `settings`: `fast` writes
    only <output_dir>/debug.log. `profile` names the profiler whose summary goes under
    <output_dir>/profile/.
    """
    output_dir = Path(settings.output_dir)
    if debug == "fast":
        return train_fast(settings, output_dir)
    # A result from an earlier run must not pass for this one's if this one fails.
    (output_dir / "metrics.json").unlink(missing_ok=True)
    checkpoint = output_dir / "checkpoints" / "last.ckpt"
    resume_from = checkpoint if settings.resume and checkpoint.exists() else None
    if settings.resume and resume_from is None:
        print(f"resume: no checkpoint at {checkpoint} yet; starting from scratch.")
    prepare_run(settings)
    # A resumed run goes on with the preprocessing and split it started with.
    preprocessing = saved_preprocessing(resume_from) if resume_from else None
    datamodule = build_datamodule(settings, preprocessing)
    if debug == "limit":
        limit_batches(settings, datamodule)
    model = build_model(settings, datamodule)
    profiler = build_profiler(profile, output_dir)
    trainer = build_trainer(settings, "fit", model, profiler=profiler)
    record_settings(settings, trainer)

    trainer.fit(model, datamodule=datamodule, ckpt_path=resume_from)
    # Measured before testing loads the best checkpoint.
    memorised = memorisation(settings, model, datamodule) if debug == "overfit" else {}
    # The best checkpoint is tested; a model without a main metric (a GAN), or one that trained
    # for fewer epochs than callbacks.checkpoint.every_n_epochs, is tested as it ends.
    best = "best" if trainer.checkpoint_callback.best_model_path else None
    results = trainer.test(model, datamodule=datamodule, ckpt_path=best)
    metrics = {"task": settings.task, **results[0]}
    if trainer.is_global_zero:
        write_metrics(metrics, output_dir / "metrics.json")
        print(f"Checkpoints: {output_dir / 'checkpoints'}")
        print(f"Test metrics: {output_dir / 'metrics.json'}")
        report(settings, trainer, model, datamodule)
        if debug == "overfit":
            shown = ", ".join(f"{name} {value:.4f}" for name, value in memorised.items())
            epochs = trainer.current_epoch
            print(f"debug overfit: after {epochs} epochs, on the batches trained: {shown}")
        if profiler is not None:
            print_profile(profiler, output_dir)
    return metrics


def train_fast(settings, output_dir: Path) -> dict:
    """One batch of each split through fit and test (Lightning's fast_dev_run, which keeps no
    logger and no checkpoint); the test metrics go to <output_dir>/debug.log alone."""
    prepare_run(settings)
    datamodule = build_datamodule(settings)
    model = build_model(settings, datamodule)
    trainer = build_trainer(settings, "fit", model)
    trainer.fit(model, datamodule=datamodule)
    results = trainer.test(model, datamodule=datamodule)
    metrics = {"task": settings.task, **results[0]}
    if trainer.is_global_zero:
        log = output_dir / "debug.log"
        lines = [f"{name}: {value}" for name, value in metrics.items()]
        write_text(log, "debug fast: one batch of train, validation and test\n" + "\n".join(lines))
        print(
            f"debug fast: one batch of train, validation and test ran; no checkpoint, no "
            f"settings.yaml, no metrics.json, no tracker run; only {log}."
        )
    return metrics


def record_settings(settings, trainer) -> None:
    """Save the settings of this run as <output_dir>/settings.yaml and log them to the trackers
    as hyperparameters (under `settings/`), so that every result says how it was made."""
    from config import save_settings

    if trainer.is_global_zero:
        path = save_settings(settings, Path(settings.output_dir) / "settings.yaml")
        print(f"Settings: {path}")
    log_settings(settings, trainer)


def log_settings(settings, trainer) -> None:
    """Log the settings to the run's trackers as hyperparameters, under `settings/`."""
    from config import settings_as_dict

    for logger in trainer.loggers:
        logger.log_hyperparams({"settings": settings_as_dict(settings)})


def write_metrics(metrics: dict, path: Path) -> None:
    """Write metrics.json whole or not at all."""
    write_text(path, json.dumps(metrics, indent=2))


def write_text(path: Path, text: str) -> None:
    """Write `text` and a final newline to `path`, whole or not at all."""
    with written_whole(path) as partial:
        partial.write_text(text + "\n")
