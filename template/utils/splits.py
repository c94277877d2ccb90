"""Seeded train/validation/test splits, the same for tables and images."""

import numpy as np
from sklearn.model_selection import train_test_split

from utils.errors import DataError

SPLITS = ("train", "val", "test")


def split_rows(
    count: int,
    val_fraction: float,
    test_fraction: float,
    seed: int,
    labels: np.ndarray | None = None,
    class_names: list[str] | None = None,
    source: str = "the data",
) -> dict[str, np.ndarray]:
    """Sorted row numbers of each split; stratified by `labels` (class indices) when given, so
    that every class keeps its share in each split. DataError when there are too few rows."""
    n_val = max(1, round(count * val_fraction))
    n_test = max(1, round(count * test_fraction))
    if count < n_val + n_test + 1:
        raise DataError(
            f"{source} has {count} examples; too few to split into train, validation and test sets."
        )
    rows = np.arange(count)
    try:
        rest, test = train_test_split(rows, test_size=n_test, random_state=seed, stratify=labels)
        rest_labels = None if labels is None else labels[rest]
        train, val = train_test_split(
            rest, test_size=n_val, random_state=seed, stratify=rest_labels
        )
    except ValueError:
        if labels is None:
            raise
        counts = np.bincount(labels)
        present = np.flatnonzero(counts)
        smallest = int(present[counts[present].argmin()])
        name = class_names[smallest] if class_names else smallest
        raise DataError(
            f"class {name!r} of {source} has {counts[smallest]} examples; each class needs "
            "enough for the train, validation and test sets (at least 3, better dozens)."
        ) from None
    return {"train": np.sort(train), "val": np.sort(val), "test": np.sort(test)}
