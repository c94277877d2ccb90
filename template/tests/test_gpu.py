"""GPU paths: mixed precision, torch.compile, pinned memory and the float32 matmul precision.

The tests that need a CUDA GPU skip on machines without one.
"""

import pytest
import torch
from pytorch_lightning import Callback

from tests.conftest import build_for

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
needs_bf16 = pytest.mark.skipif(
    not (torch.cuda.is_available() and torch.cuda.is_bf16_supported()),
    reason="needs a CUDA GPU with bfloat16",
)


class DevicesSeen(Callback):
    """Records the device types of every batch and weight while training runs: Lightning moves
    the model back to the CPU when `fit` ends, so looking afterwards proves nothing."""

    def __init__(self) -> None:
        self.batches: set[str] = set()
        self.weights: set[str] = set()

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx) -> None:
        self.batches.add(batch[0].device.type)
        self.weights.update(parameter.device.type for parameter in pl_module.parameters())


def on_gpu(settings, changes: dict):
    """Data module, model and Trainer for the project's task on the GPU with `changes` to the
    settings, and the record of the devices that training will see."""
    settings.set("trainer.accelerator", "gpu")
    for key, value in changes.items():
        settings.set(key, value)
    datamodule, model, trainer = build_for(settings, settings.task)
    seen = DevicesSeen()
    trainer.callbacks.append(seen)
    return datamodule, model, trainer, seen


@needs_cuda
@pytest.mark.parametrize(
    ("precision", "dtype"),
    [
        ("16-mixed", torch.float16),
        pytest.param("bf16-mixed", torch.bfloat16, marks=needs_bf16),
    ],
)
def test_mixed_precision_trains_on_the_gpu_with_finite_loss(settings, precision, dtype):
    datamodule, model, trainer, seen = on_gpu(settings, {"trainer.precision": precision})
    dtypes: set[torch.dtype] = set()
    layer = next(module for module in model.modules() if isinstance(module, torch.nn.Linear))
    layer.register_forward_hook(lambda module, inputs, output: dtypes.add(output.dtype))
    trainer.fit(model, datamodule=datamodule)
    assert trainer.state.finished
    assert seen.batches == seen.weights == {"cuda"}
    assert dtype in dtypes, f"no layer computed in {dtype} under {precision}"
    assert all(torch.isfinite(value).all() for value in trainer.callback_metrics.values())


@needs_cuda
def test_compiled_model_trains_on_the_gpu(settings):
    datamodule, model, trainer, seen = on_gpu(settings, {"compile": True})
    trainer.fit(model, datamodule=datamodule)
    assert trainer.state.finished
    assert seen.batches == seen.weights == {"cuda"}


@needs_cuda
def test_batches_come_from_pinned_memory(settings):
    datamodule, _, _ = build_for(settings, settings.task)
    features = next(iter(datamodule.train_dataloader()))[0]
    assert features.is_pinned()


@pytest.mark.parametrize("precision", ["highest", "medium"])
def test_matmul_precision_setting_reaches_torch(settings, precision):
    before = torch.get_float32_matmul_precision()
    settings.set("matmul_precision", precision)
    try:
        build_for(settings, settings.task)
        assert torch.get_float32_matmul_precision() == precision
    finally:
        torch.set_float32_matmul_precision(before)
