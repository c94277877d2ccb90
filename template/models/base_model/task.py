"""What every task's model shares: the preprocessing its checkpoints keep, the optimizer settings
it trains with, and what the commands ask of it."""

from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np
import pandas as pd
import pytorch_lightning as pl
import torch

from models.base_model.networks import without_weight_sources


class TaskModel(pl.LightningModule, ABC):
    """The base of every task's base class.

    After building a model from the settings, the commands (components/building.py) set:
    - `preprocessing`: what the data module fitted on the training split, as plain data. Every
      checkpoint keeps it and loading one restores it, so that a checkpoint alone prepares new
      data as in training;
    - `optimizer_settings` and `scheduler_settings`: the `optimizer` and `scheduler` sections,
      which `configure_optimizers` reads.

    Each task's base declares what the commands need to know of it: `monitor` and `monitor_mode`,
    `generates`, `sizes_for` (the sizes its networks get), `prediction_frame`, `example_input`,
    `export_module` and `report_figures`. The commands never ask which task they run.
    """

    #: The main validation metric, which picks the best checkpoint, and its better direction;
    #: None keeps the last epoch and stops nothing early.
    monitor: str | None = None
    monitor_mode: str = "max"
    #: Whether `predict` draws new samples (a GAN) rather than reading inputs.
    generates: bool = False
    #: The name of the exported ONNX graph's output.
    output_name: str = "outputs"

    def __init__(self) -> None:
        super().__init__()
        # Collects the subclass's arguments too (network, sizes, ...), from which a checkpoint
        # rebuilds the model.
        self.save_hyperparameters()
        self.preprocessing: dict = {}
        self.optimizer_settings: dict = {}
        self.scheduler_settings: dict = {}

    @classmethod
    def sizes_for(cls, data_sizes: dict, arguments: dict) -> dict:
        """The model's `sizes` argument, from the data module's sizes and `model.<task>`."""
        return dict(data_sizes)

    @abstractmethod
    def forward(self, inputs: torch.Tensor) -> torch.Tensor: ...

    def on_save_checkpoint(self, checkpoint: dict) -> None:
        # The checkpoint holds the trained weights: loading it must not fetch the starting ones.
        hparams = checkpoint.get("hyper_parameters")
        if hparams is not None:
            checkpoint["hyper_parameters"] = without_weight_sources(hparams)
        checkpoint["preprocessing"] = self.preprocessing
        checkpoint["model_class"] = type(self).__name__

    def on_load_checkpoint(self, checkpoint: dict) -> None:
        saved = checkpoint.get("model_class", type(self).__name__)
        if saved != type(self).__name__:
            # Another task's model can have the same arguments and weights of the same shapes.
            raise ValueError(f"it holds a {saved}, not a {type(self).__name__}")
        self.preprocessing = checkpoint.get("preprocessing") or {}

    @property
    def input_name(self) -> str:
        """The exported graph's input: images [batch, C, H, W], or rows of features."""
        return "images" if len(self.hparams.sizes["input_shape"]) == 3 else "features"

    def example_input(self, count: int) -> torch.Tensor:
        """`count` random inputs of the shape the model reads."""
        return torch.randn(count, *self.hparams.sizes["input_shape"])

    def export_module(self) -> torch.nn.Module:
        """What `export` writes: the model's predict_step as a plain module."""
        return Predictor(self)

    def prediction_frame(self, outputs: np.ndarray) -> pd.DataFrame:
        """predict_step's outputs as the columns of predictions.csv."""
        return pd.DataFrame({"prediction": list(outputs)})

    def report_figures(self, datamodule, folder: Path) -> list[Path]:
        """The task's own figures of the run, drawn under `folder`; after testing."""
        return []


class Predictor(torch.nn.Module):
    """A model's predict_step as a plain module: what `export` writes, so that ONNX consumers get
    what `predict` writes (class probabilities, values in the target's units), not raw logits."""

    def __init__(self, model: TaskModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.model.predict_step((inputs,), 0)
