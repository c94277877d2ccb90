"""The report written after testing: learning curves and the task's own figure, as PNG files."""

from pathlib import Path

import numpy as np
import pytest

from components.tasks import TASKS
from tests.conftest import build_for
from utils.report import (
    read_epoch_metrics,
    save_confusion_matrix,
    save_learning_curves,
    save_predicted_vs_true,
    write_report,
)

# A CSV log as Lightning writes it: validation and training values on separate rows per epoch.
METRICS_CSV = """epoch,step,lr-AdamW,train/loss,val/acc,val/loss
0,4,,,0.4,2.1
0,4,0.001,2.3,,
1,9,,,0.6,1.9
1,9,0.001,2.0,,
"""


def is_picture(path: Path) -> bool:
    """A PNG of a useful size whose pixels are not all one colour."""
    from matplotlib.image import imread

    image = imread(path)
    return path.suffix == ".png" and min(image.shape[:2]) >= 200 and float(image.std()) > 0.05


def test_curves_take_each_epochs_last_value(tmp_path):
    (tmp_path / "metrics.csv").write_text(METRICS_CSV)
    curves = read_epoch_metrics(tmp_path / "metrics.csv")
    assert curves["train/loss"] == {0: 2.3, 1: 2.0}
    assert curves["val/acc"] == {0: 0.4, 1: 0.6}
    assert "epoch" not in curves and "step" not in curves
    assert is_picture(save_learning_curves(curves, tmp_path / "curves.png"))


def test_confusion_matrix_and_scatter_are_drawn(tmp_path):
    rng = np.random.default_rng(0)
    true = rng.integers(0, 4, 60)
    predicted = np.where(rng.random(60) < 0.7, true, rng.integers(0, 4, 60))
    assert is_picture(save_confusion_matrix(predicted, true, tmp_path / "confusion.png"))
    values = rng.normal(size=40)
    noisy = values + rng.normal(0, 0.3, 40)
    assert is_picture(save_predicted_vs_true(noisy, values, tmp_path / "scatter.png"))


@pytest.mark.parametrize("task", TASKS)
def test_report_has_the_curves_and_the_tasks_figure(settings, task):
    datamodule, model, _ = build_for(settings, task)
    output_dir = Path(settings.output_dir)
    (output_dir / "logs").mkdir(parents=True)
    (output_dir / "logs" / "metrics.csv").write_text(METRICS_CSV)
    paths = write_report(model, datamodule, output_dir)
    # A GAN's sample grid is drawn while it trains (tests/test_gan.py), so it is absent here.
    # Image projects also draw test images with their predicted and true classes.
    grid = ["test_predictions.png"] if hasattr(datamodule, "display_images") else []
    figures = {
        "classification": ["confusion_matrix.png", *grid],
        "regression": ["predicted_vs_true.png"],
        "gan": [],
    }
    names = [path.name for path in paths]
    assert names[0] == "learning_curves.png"
    # A task you add draws what its base's report_figures draws.
    assert task not in figures or names[1:] == figures[task]
    assert all(path.parent == output_dir / "report" and is_picture(path) for path in paths)


def test_progress_bar_shows_the_loss_and_the_main_metric(settings):
    datamodule, model, trainer = build_for(settings, settings.task)
    trainer.fit(model, datamodule=datamodule)
    expected = {"train/loss", model.monitor} if model.monitor else {"train/d_loss", "train/g_loss"}
    assert expected <= set(trainer.progress_bar_metrics)
