"""best.ckpt and last.ckpt: the right epochs, the full state, one file written per epoch, and
written whole or not at all."""

from pathlib import Path

import pytest
import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, TensorDataset

from components.callbacks import BestAndLastCheckpoint


class ScriptedScores(pl.LightningModule):
    """A linear model whose validation score for each epoch is given in advance."""

    def __init__(self, scores: list[float]) -> None:
        super().__init__()
        self.scores = scores
        self.layer = torch.nn.Linear(2, 1)

    def training_step(self, batch, batch_idx):
        return self.layer(batch[0]).pow(2).mean()

    def validation_step(self, batch, batch_idx) -> None:
        self.log("val/score", self.scores[self.current_epoch])

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.01)


def fit(tmp_path, scores, monitor="val/score", every_n_epochs=1, resume_from=None):
    """Train for len(scores) epochs; return the callback and the files written, in order."""
    data = DataLoader(TensorDataset(torch.randn(8, 2)), batch_size=4)
    checkpoint = BestAndLastCheckpoint(
        tmp_path / "checkpoints", monitor=monitor, mode="max", every_n_epochs=every_n_epochs
    )
    trainer = pl.Trainer(
        max_epochs=len(scores),
        accelerator="cpu",
        devices=1,
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        callbacks=[checkpoint],
        default_root_dir=tmp_path,
    )
    written = []
    save = trainer.save_checkpoint

    def recording_save(path, *args, **kwargs):
        written.append((trainer.current_epoch, Path(path).name))
        return save(path, *args, **kwargs)

    trainer.save_checkpoint = recording_save
    trainer.fit(ScriptedScores(scores), data, data, ckpt_path=resume_from)
    return checkpoint, written


def epoch_in(path) -> int:
    state = torch.load(path, weights_only=False)
    assert state["optimizer_states"], f"{path} lacks the optimizer state needed to resume"
    return state["epoch"]


def test_best_and_last_epochs_with_one_file_written_per_epoch(tmp_path):
    checkpoint, written = fit(tmp_path, [0.1, 0.5, 0.3, 0.2])
    assert written == [(0, "best.ckpt"), (1, "best.ckpt"), (2, "last.ckpt"), (3, "last.ckpt")]
    assert epoch_in(checkpoint.best_model_path) == 1
    assert epoch_in(checkpoint.last_model_path) == 3
    assert not (tmp_path / "checkpoints" / "last.ckpt").is_symlink()


def test_a_best_latest_epoch_links_last_to_best(tmp_path):
    checkpoint, _ = fit(tmp_path, [0.1, 0.2, 0.5])
    last = tmp_path / "checkpoints" / "last.ckpt"
    assert last.resolve() == (tmp_path / "checkpoints" / "best.ckpt").resolve()
    assert epoch_in(last) == 2


def test_a_later_epoch_replaces_the_link_and_leaves_best_alone(tmp_path):
    fit(tmp_path, [0.1, 0.5])  # last.ckpt links to best.ckpt, both at epoch 1
    resumed, written = fit(
        tmp_path, [0.1, 0.5, 0.2], resume_from=tmp_path / "checkpoints" / "last.ckpt"
    )
    assert written == [(2, "last.ckpt")]
    assert not (tmp_path / "checkpoints" / "last.ckpt").is_symlink()
    assert epoch_in(resumed.best_model_path) == 1
    assert epoch_in(resumed.last_model_path) == 2


def test_without_a_monitor_only_last_is_kept(tmp_path):
    checkpoint, written = fit(tmp_path, [0.1, 0.5, 0.3], monitor=None)
    assert [name for _, name in written] == ["last.ckpt"] * 3
    assert checkpoint.best_model_path == ""
    assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == ["last.ckpt"]


def test_every_n_epochs_sets_how_often_checkpoints_are_written(tmp_path):
    _, written = fit(tmp_path, [0.1, 0.5, 0.3, 0.2], every_n_epochs=2)
    assert written == [(1, "best.ckpt"), (3, "last.ckpt")]


def test_checkpoints_are_written_by_the_file_writer_and_load_whole(settings, tmp_path):
    from components.checkpoints import FileCheckpointIO
    from tests.conftest import build_for

    datamodule, model, trainer = build_for(settings, settings.task)
    assert type(trainer.strategy.checkpoint_io) is FileCheckpointIO
    trainer.fit(model, datamodule=datamodule)
    folder = tmp_path / "outputs" / "checkpoints"
    assert epoch_in(folder / "last.ckpt") == settings.trainer.max_epochs - 1
    # A model without a main metric (a GAN) keeps only its last checkpoint.
    kept = ["best.ckpt", "last.ckpt"] if model.monitor else ["last.ckpt"]
    saved = torch.load(folder / kept[0], weights_only=True)
    assert saved["state_dict"].keys() == model.state_dict().keys()
    assert saved["preprocessing"] == datamodule.preprocessing
    assert sorted(path.name for path in folder.iterdir()) == kept


def test_a_failed_write_leaves_the_previous_checkpoint_whole(tmp_path):
    from components.checkpoints import FileCheckpointIO

    writer, path = FileCheckpointIO(), tmp_path / "last.ckpt"
    writer.save_checkpoint({"epoch": 1}, path)

    class Unpicklable:
        def __reduce__(self):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        writer.save_checkpoint({"epoch": 2, "broken": Unpicklable()}, path)
    assert torch.load(path, weights_only=True) == {"epoch": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["last.ckpt"]


def test_writing_over_a_link_replaces_the_link_and_leaves_its_target(tmp_path):
    from components.checkpoints import FileCheckpointIO

    writer = FileCheckpointIO()
    best, last = tmp_path / "best.ckpt", tmp_path / "last.ckpt"
    writer.save_checkpoint({"epoch": 1}, best)
    last.symlink_to(best.name)
    writer.save_checkpoint({"epoch": 2}, last)
    assert not last.is_symlink()
    assert torch.load(last, weights_only=True) == {"epoch": 2}
    assert torch.load(best, weights_only=True) == {"epoch": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.ckpt", "last.ckpt"]


def test_remote_paths_go_through_lightnings_writer():
    import fsspec

    from components.checkpoints import FileCheckpointIO

    FileCheckpointIO().save_checkpoint({"epoch": 3}, "memory://run/last.ckpt")
    with fsspec.open("memory://run/last.ckpt", "rb") as file:
        assert torch.load(file, weights_only=True) == {"epoch": 3}


def test_a_writer_named_in_the_trainer_plugins_is_kept():
    from pytorch_lightning.plugins.io import AsyncCheckpointIO

    from components.checkpoints import write_checkpoints_to_files

    trainer = pl.Trainer(accelerator="cpu", devices=1, logger=False, plugins=[AsyncCheckpointIO()])
    write_checkpoints_to_files(trainer)
    assert isinstance(trainer.strategy.checkpoint_io, AsyncCheckpointIO)
