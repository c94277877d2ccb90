"""Writing checkpoints, and finding and loading the one that test, predict and export work from."""

import pickle
from pathlib import Path

import torch
from lightning_fabric.plugins.io.torch_io import TorchCheckpointIO

from config import trainer_arguments
from utils.errors import ProjectError
from utils.files import written_whole


class FileCheckpointIO(TorchCheckpointIO):
    """Writes each checkpoint straight into a temporary file beside it, then renames it into place.

    Lightning's TorchCheckpointIO serialises the whole checkpoint into memory, copies it once more
    and only then writes it: three times the cost of `torch.save` to a file, paid every epoch. A
    run that stops mid-write leaves the previous checkpoint whole here too. Paths with a scheme
    (s3://, gs://) go through Lightning's own writer.
    """

    def save_checkpoint(self, checkpoint: dict, path, storage_options=None) -> None:
        if storage_options is not None or "://" in str(path):
            super().save_checkpoint(checkpoint, path, storage_options)
            return
        with written_whole(Path(path), move_aside=True) as partial:
            torch.save(checkpoint, partial)


def write_checkpoints_to_files(trainer) -> None:
    """Let `trainer` save through FileCheckpointIO, unless its strategy brings its own writer
    (TPUs, DeepSpeed) or trainer.plugins named one."""
    if type(trainer.strategy.checkpoint_io) is TorchCheckpointIO:
        trainer.strategy.checkpoint_io = FileCheckpointIO()


def checkpoint_path(settings, model_class: type, ckpt: Path | None) -> Path:
    """`ckpt` if given, else the run's best checkpoint (its last one for a model without a main
    metric, such as a GAN); ProjectError if it does not exist."""
    name = "best.ckpt" if model_class.monitor else "last.ckpt"
    path = Path(ckpt) if ckpt else Path(settings.output_dir) / "checkpoints" / name
    if not path.is_file():
        raise ProjectError(
            f"no checkpoint at {path}; train first with `python main.py train` or pass --ckpt"
        )
    return path


def load_model(path: Path, model_class: type, task: str):
    """The model saved in `path`, in eval mode on the CPU; ProjectError if `path` holds no model of
    `model_class` (another task's checkpoint, or not a checkpoint at all)."""
    try:
        model = model_class.load_from_checkpoint(path, map_location="cpu")
    except (
        TypeError,
        KeyError,
        RuntimeError,
        ValueError,
        EOFError,
        pickle.UnpicklingError,
    ) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ProjectError(
            f"{path} holds no {task} model of this project ({reason[:200]}); pass the checkpoint "
            f"of a {task} run with --ckpt, or set task= to the task it was trained for"
        ) from None
    return model.eval()


def preprocessing_of(model, path: Path) -> dict:
    """The preprocessing fitted in training, which the checkpoint carries; ProjectError if none."""
    preprocessing = model.hparams.get("preprocessing")
    if not preprocessing:
        raise ProjectError(
            f"{path} carries no preprocessing (it was saved by an older version of the project); "
            "train again with `python main.py train`"
        )
    return preprocessing


def devices_for_one_process(settings) -> int | list[int]:
    """One device of the configured ones: prediction and export run in a single process, so
    that rows keep their input order."""
    devices = trainer_arguments(settings)["devices"]
    return devices[:1] if isinstance(devices, list) else 1
