"""Builders of what the commands run: the data module (its preprocessing fitted from the settings,
or a checkpoint's), the model, and a Trainer for each stage. Each command builds only what it
runs."""

from pathlib import Path

from components.tasks import task_of
from config import plain, trainer_arguments
from utils.errors import ProjectError


def prepare_run(settings) -> None:
    """What every command does first: quiet the libraries, check the devices, set the matmul
    precision and the seed."""
    import pytorch_lightning as pl
    import torch

    from utils.hardware import check_devices
    from utils.quiet import silence_library_noise

    silence_library_noise()
    check_devices(settings.trainer.accelerator, settings.trainer.devices)
    torch.set_float32_matmul_precision(settings.matmul_precision)
    pl.seed_everything(settings.seed, workers=True, verbose=False)


def build_datamodule(settings, preprocessing: dict | None = None):
    """The data module of `settings.task`, its data read and split. Without `preprocessing` it
    fits its own on the training split; with a checkpoint's it applies that one, split included."""
    datamodule = task_of(settings).data.from_settings(settings, preprocessing)
    # One fold of `train --folds` (components/repeats.py); a checkpoint keeps its own split.
    cross_validation = settings.get("cross_validation")
    if cross_validation and datamodule.fitting:
        split = datamodule.preprocessing["split"]
        split.update(folds=cross_validation["folds"], fold=cross_validation["fold"])
    if datamodule.overruled:
        kept = ", ".join(
            f"{key} {ours} (not {theirs})" for key, (ours, theirs) in datamodule.overruled.items()
        )
        print(f"The checkpoint's preprocessing and split hold: {kept}.")
    datamodule.prepare_data()
    datamodule.setup()
    table = Path(cross_validation["table"]) if cross_validation else None
    if table and datamodule.fold_of_rows is not None and not table.exists():
        from utils.splits import write_folds

        write_folds(table, datamodule.fold_of_rows, datamodule.row_names)
    return datamodule


def build_model(settings, datamodule):
    """The model of `settings.task`, from `model.<task>` and the data's sizes, carrying the data
    module's preprocessing and the optimizer and scheduler settings."""
    model_class = task_of(settings).model
    arguments = plain(settings.model[settings.task])
    model = model_class(**arguments, sizes=model_class.sizes_for(datamodule.sizes(), arguments))
    model.preprocessing = datamodule.preprocessing
    model.optimizer_settings = plain(settings.optimizer)
    model.scheduler_settings = plain(settings.scheduler)
    if settings.compile:
        import torch

        # Compiled kernels pay off on GPUs with large models; the first steps are slower.
        model = torch.compile(model)
    return model


def build_trainer(settings, stage: str, model=None, **options):
    """A Trainer for `stage`:
    - fit: the `trainer` settings, the loggers, the callbacks for `model` and the file writer of
      checkpoints;
    - test: the `trainer` settings and the loggers, no checkpoints;
    - predict or validate: one device of the configured accelerator, nothing logged, so that
      outputs keep their input order.
    `options` are further Trainer arguments.
    """
    import pytorch_lightning as pl
    from pytorch_lightning.callbacks import TQDMProgressBar
    from pytorch_lightning.utilities.exceptions import MisconfigurationException

    from components.callbacks import build_callbacks
    from components.checkpoints import write_checkpoints_to_files
    from components.tracking import build_loggers

    arguments = trainer_arguments(settings)
    output_dir = Path(settings.output_dir)
    if stage in ("fit", "test"):
        refresh_rate = settings.callbacks.progress_bar.refresh_rate
        callbacks = (
            build_callbacks(settings.callbacks, model, output_dir)
            if stage == "fit"
            else [TQDMProgressBar(refresh_rate=refresh_rate)]
        )
        # A test run keeps its CSV log apart, so that the training run's stays whole.
        csv_name = "logs" if stage == "fit" else "test_logs"
        arguments |= {
            "default_root_dir": output_dir,
            "logger": build_loggers(settings, output_dir, csv_name),
            "callbacks": callbacks,
            "enable_checkpointing": stage == "fit",
        }
    else:
        devices = arguments["devices"]
        arguments = {
            "accelerator": arguments["accelerator"],
            "devices": devices[:1] if isinstance(devices, list) else 1,
            "precision": arguments["precision"],
            "logger": False,
            "enable_checkpointing": False,
            "enable_progress_bar": False,
            "enable_model_summary": False,
        }
    try:
        trainer = pl.Trainer(**arguments | options)
    except MisconfigurationException as error:
        raise ProjectError(f"trainer settings rejected by Lightning: {error}") from None
    if stage == "fit":
        write_checkpoints_to_files(trainer)
    return trainer
