"""GPU paths: mixed precision, torch.compile and pinned memory. Skipped on machines without CUDA."""

import pytest
import torch

from tests.conftest import build_for

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


@needs_cuda
@pytest.mark.parametrize("precision", ["16-mixed", "bf16-mixed"])
def test_mixed_precision_trains_with_finite_loss(settings, precision):
    settings.set("trainer.accelerator", "gpu")
    settings.set("trainer.precision", precision)
    datamodule, model, trainer = build_for(settings, settings.task)
    trainer.fit(model, datamodule=datamodule)
    assert trainer.state.finished
    assert all(torch.isfinite(value) for value in trainer.callback_metrics.values())
    assert next(model.parameters()).is_cuda


@needs_cuda
def test_compiled_model_trains(settings):
    settings.set("trainer.accelerator", "gpu")
    settings.set("compile", True)
    datamodule, model, trainer = build_for(settings, settings.task)
    trainer.fit(model, datamodule=datamodule)
    assert trainer.state.finished


@needs_cuda
def test_batches_come_from_pinned_memory(settings):
    datamodule, _, _ = build_for(settings, settings.task)
    features = next(iter(datamodule.train_dataloader()))[0]
    assert features.is_pinned()
