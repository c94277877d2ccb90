"""Fixtures shared by the tests: settings for runs of seconds, on the CPU, in a temporary folder."""

import pytest

from config import load_settings, validate


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    """One folder for the demo tables, written once per test session."""
    return tmp_path_factory.mktemp("data")


@pytest.fixture
def settings(tmp_path, data_dir):
    """The project's settings with a tiny budget: two short epochs on the CPU, no progress bar, and
    no experiment tracker (only the CSV log), so that tests leave the tracker's store alone."""
    settings = load_settings()
    settings.set("tracker.name", "csv")
    settings.set("output_dir", str(tmp_path / "outputs"))
    settings.set("data.dir", str(data_dir))
    settings.set("trainer.accelerator", "cpu")
    settings.set("trainer.devices", 1)
    settings.set("trainer.max_epochs", 2)
    settings.set("trainer.limit_train_batches", 4)
    settings.set("trainer.limit_val_batches", 2)
    settings.set("trainer.enable_model_summary", False)
    settings.set("callbacks.progress_bar.refresh_rate", 0)
    return validate(settings)


def build_for(settings, task: str):
    """Data module, model and Trainer for `task` under the tiny settings."""
    from components.training import build

    settings.set("task", task)
    return build(settings)
