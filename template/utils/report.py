"""Figures written after training: PNG files under <output_dir>/report."""

import csv
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch

# Test images drawn in the classification report's grid of predictions.
PREDICTION_GRID_SIZE = 32


def _pyplot():
    # Imported on first use: matplotlib costs a second at start-up, and only reports need it.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def write_report(task: str, model, datamodule, output_dir: Path) -> list[Path]:
    """The run's figures: learning curves, then the task's own; returns their paths.

    Learning curves come from the CSV log, <output_dir>/logs/metrics.csv. Classification adds a
    confusion matrix and regression a predicted-vs-true scatter, both on the test split, as the
    model stands (after testing, the best checkpoint); a GAN's sample grid is drawn while it trains.
    """
    folder = output_dir / "report"
    curves = read_epoch_metrics(output_dir / "logs" / "metrics.csv")
    paths = [save_learning_curves(curves, folder / "learning_curves.png")]
    if task == "classification":
        logits, targets = predict_test_split(model, datamodule)
        predicted = logits.argmax(axis=-1)
        path = folder / "confusion_matrix.png"
        names = model.class_names
        paths.append(save_confusion_matrix(predicted, targets, path, names))
        if hasattr(datamodule, "display_images"):
            # Mistakes first, as they are what a person looks for; then a seeded mix of classes.
            shuffled = np.random.default_rng(0).permutation(len(targets))
            right = predicted[shuffled] == targets[shuffled]
            order = shuffled[np.argsort(right, kind="stable")][:PREDICTION_GRID_SIZE]
            images = datamodule.display_images("test", order.tolist())
            path = folder / "test_predictions.png"
            paths.append(
                save_prediction_grid(images, predicted[order], targets[order], names, path)
            )
    elif task == "regression":
        predictions, targets = predict_test_split(model, datamodule)
        paths.append(save_predicted_vs_true(predictions, targets, folder / "predicted_vs_true.png"))
    elif (folder / "gan_samples.png").is_file():
        paths.append(folder / "gan_samples.png")
    return paths


@torch.no_grad()
def predict_test_split(model, datamodule) -> tuple[np.ndarray, np.ndarray]:
    """Outputs and targets over the test split, in the units the model's metrics see."""
    model.eval()
    outputs, targets = [], []
    for features, target in datamodule.test_dataloader():
        output, target = model.metric_inputs(model(features.to(model.device)), target)
        outputs.append(output.float().cpu())
        targets.append(target.cpu())
    return torch.cat(outputs).numpy(), torch.cat(targets).numpy()


def read_epoch_metrics(path: Path) -> dict[str, dict[int, float]]:
    """Each metric of a Lightning CSV log as {epoch: the epoch's last value}."""
    curves: dict[str, dict[int, float]] = defaultdict(dict)
    with path.open(newline="") as file:
        for row in csv.DictReader(file):
            if not row.get("epoch"):
                continue
            epoch = int(float(row["epoch"]))
            for name, value in row.items():
                if value and name not in ("epoch", "step"):
                    curves[name][epoch] = float(value)
    return dict(curves)


def save_learning_curves(curves: dict[str, dict[int, float]], path: Path) -> Path:
    """One panel per metric with train or val values, loss first; epochs counted from 1."""
    names = {key.split("/", 1)[1] for key in curves if key.startswith(("train/", "val/"))}
    names = sorted(names, key=lambda name: (not name.endswith("loss"), name))
    plt = _pyplot()
    figure, axes = plt.subplots(
        1, max(1, len(names)), figsize=(3.6 * max(1, len(names)), 3.2), squeeze=False
    )
    for axis, name in zip(axes[0], names, strict=False):
        for stage in ("train", "val"):
            values = curves.get(f"{stage}/{name}", {})
            if values:
                epochs = sorted(values)
                points = [values[epoch] for epoch in epochs]
                axis.plot([epoch + 1 for epoch in epochs], points, marker="o", label=stage)
        axis.set_title(name)
        axis.set_xlabel("epoch")
        axis.xaxis.get_major_locator().set_params(integer=True)
        axis.grid(alpha=0.3)
        axis.legend()
    figure.suptitle("Learning curves")
    figure.tight_layout()
    return _save(figure, path)


def save_confusion_matrix(
    predicted: np.ndarray, true: np.ndarray, path: Path, class_names: list[str] | None = None
) -> Path:
    """Counts of each (true, predicted) class pair, shaded by the share of the true class.

    The axes carry `class_names` (the labels of classes 0..C-1) or, without them, the indices.
    """
    names = [str(index) for index in range(int(max(predicted.max(), true.max())) + 1)]
    names[: len(class_names or [])] = class_names or []
    classes = len(names)
    counts = np.zeros((classes, classes), dtype=int)
    np.add.at(counts, (true.astype(int), predicted.astype(int)), 1)
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    plt = _pyplot()
    side = max(3.5, 0.5 * classes + 1.5)
    figure, axis = plt.subplots(figsize=(side, side))
    axis.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    # Numbers stay legible up to about 30 classes; beyond, the shading alone tells the story.
    if classes <= 30:
        # Long names are cut, so that the matrix keeps its room.
        labels = [name if len(name) <= 12 else name[:11] + "…" for name in names]
        wide = any(len(label) > 3 for label in labels)
        axis.set_xticks(
            range(classes), labels, rotation=45 if wide else 0, ha="right" if wide else "center"
        )
        axis.set_yticks(range(classes), labels)
        for (row, column), count in np.ndenumerate(counts):
            colour = "white" if shares[row, column] > 0.5 else "black"
            axis.text(column, row, count, ha="center", va="center", fontsize=7, color=colour)
    axis.set_xlabel("predicted class")
    axis.set_ylabel("true class")
    accuracy = np.trace(counts) / max(counts.sum(), 1)
    axis.set_title(f"Confusion matrix, test split (accuracy {accuracy:.3f})", fontsize=9)
    return _save(figure, path)


def save_predicted_vs_true(predicted: np.ndarray, true: np.ndarray, path: Path) -> Path:
    """Each test example as a point; on the dashed diagonal, predictions are exact."""
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(4.5, 4.5))
    axis.scatter(true, predicted, s=12, alpha=0.6)
    low = float(min(true.min(), predicted.min()))
    high = float(max(true.max(), predicted.max()))
    axis.plot([low, high], [low, high], color="grey", linestyle="--", linewidth=1)
    spread = float(((true - true.mean()) ** 2).sum())
    r2 = 1 - float(((true - predicted) ** 2).sum()) / spread if spread else float("nan")
    axis.set_xlabel("true value")
    axis.set_ylabel("predicted value")
    axis.set_title(f"Predicted vs true, test split (R² {r2:.3f})", fontsize=9)
    axis.grid(alpha=0.3)
    return _save(figure, path)


def save_prediction_grid(
    images: torch.Tensor,
    predicted: np.ndarray,
    true: np.ndarray,
    class_names: list[str] | None,
    path: Path,
) -> Path:
    """Test images ([n, C, H, W] uint8) titled `predicted / true`, mistakes in red."""

    def name(index: int) -> str:
        return class_names[index] if class_names else str(index)

    plt = _pyplot()
    columns = min(8, len(images))
    rows = -(-len(images) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(columns * 1.3, rows * 1.5), squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    for axis, image, guess, answer in zip(axes.flat, images, predicted, true, strict=False):
        pixels = image.permute(1, 2, 0).numpy()
        axis.imshow(pixels.squeeze(-1) if pixels.shape[-1] == 1 else pixels, cmap="gray")
        colour = "black" if guess == answer else "red"
        axis.set_title(f"{name(guess)} / {name(answer)}", fontsize=7, color=colour)
    figure.suptitle("Test images: predicted / true class (mistakes in red, first)", fontsize=9)
    figure.tight_layout()
    return _save(figure, path)


def save_sample_grid(
    rows: list[np.ndarray],
    labels: list[str],
    path: Path,
    title: str = "Generated samples from fixed noise, by epoch",
) -> Path:
    """One row of images per entry of `rows`: [n, side, side] grey or [n, side, side, 3] colour
    arrays, in [-1, 1]."""
    plt = _pyplot()
    columns = max(len(row) for row in rows)
    figure, axes = plt.subplots(
        len(rows), columns, figsize=(columns * 0.9, len(rows) * 0.9 + 0.3), squeeze=False
    )
    for axes_row, images, label in zip(axes, rows, labels, strict=True):
        for axis, image in zip(axes_row, images, strict=False):
            if image.ndim == 3:
                axis.imshow(((image + 1) / 2).clip(0, 1))
            else:
                axis.imshow(image, cmap="gray", vmin=-1, vmax=1)
        for axis in axes_row:
            axis.set_xticks([])
            axis.set_yticks([])
        axes_row[0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)
    figure.suptitle(title, fontsize=9)
    return _save(figure, path)


def _save(figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100, bbox_inches="tight")
    _pyplot().close(figure)
    return path
