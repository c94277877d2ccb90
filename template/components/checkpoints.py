"""Writing checkpoints, and finding and loading the one that test, predict and export work from."""

import pickle
from pathlib import Path

import torch
from lightning_fabric.plugins.io.torch_io import TorchCheckpointIO

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


def saved_preprocessing(path: Path) -> dict:
    """The preprocessing a checkpoint carries (empty for one saved without)."""
    return torch.load(path, map_location="cpu", weights_only=True).get("preprocessing") or {}


def load_checkpoint(settings, ckpt: Path | None = None):
    """The model of `settings.task` saved in `ckpt` (default: the run's best checkpoint), in eval
    mode on the CPU, with the preprocessing it was trained with, and the checkpoint's path.

    ProjectError if the file holds no model of that task (another task's checkpoint, or not a
    checkpoint at all) or no preprocessing.
    """
    from components.tasks import task_of

    task = settings.task
    model_class = task_of(settings).model
    path = checkpoint_path(settings, model_class, ckpt)
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
    if not model.preprocessing:
        raise ProjectError(
            f"{path} carries no preprocessing (it was saved by an older version of the project); "
            "train again with `python main.py train`"
        )
    return model.eval(), path
