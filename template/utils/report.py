"""Figures written after training: PNG files under <output_dir>/report."""

from pathlib import Path

import numpy as np


def _pyplot():
    # Imported on first use: matplotlib costs a second at start-up, and only reports need it.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_sample_grid(rows: list[np.ndarray], labels: list[str], path: Path) -> Path:
    """One row of grey-scale images per entry of `rows` ([n, side, side] arrays in [-1, 1])."""
    plt = _pyplot()
    columns = max(len(row) for row in rows)
    figure, axes = plt.subplots(
        len(rows), columns, figsize=(columns * 0.9, len(rows) * 0.9 + 0.3), squeeze=False
    )
    for axes_row, images, label in zip(axes, rows, labels, strict=True):
        for axis, image in zip(axes_row, images, strict=False):
            axis.imshow(image, cmap="gray", vmin=-1, vmax=1)
        for axis in axes_row:
            axis.set_xticks([])
            axis.set_yticks([])
        axes_row[0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)
    figure.suptitle("Generated samples from fixed noise, by epoch", fontsize=9)
    return _save(figure, path)


def _save(figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100, bbox_inches="tight")
    _pyplot().close(figure)
    return path
