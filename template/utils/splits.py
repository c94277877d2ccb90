"""Seeded train/validation/test splits, the same for tables and images."""

import csv
from pathlib import Path

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

from utils.errors import DataError
from utils.files import written_whole

SPLITS = ("train", "val", "test")


def split_rows(
    count: int,
    val_fraction: float,
    test_fraction: float,
    seed: int,
    labels: np.ndarray | None = None,
    class_names: list[str] | None = None,
    source: str = "the data",
    folds: int | None = None,
    fold: int = 0,
) -> dict[str, np.ndarray]:
    """Sorted row numbers of each split; stratified by `labels` (class indices) when given, so
    that every class keeps its share in each split. DataError when there are too few rows.

    With `folds`, the test split is the same, and the other rows are cut into `folds` parts
    (sklearn's StratifiedKFold with labels, KFold without): part `fold` validates, the rest
    trains."""
    n_val = max(1, round(count * val_fraction))
    n_test = max(1, round(count * test_fraction))
    if count < n_val + n_test + 1:
        raise DataError(
            f"{source} has {count} examples; too few to split into train, validation and test sets."
        )
    rows = np.arange(count)
    rest = None
    try:
        rest, test = train_test_split(rows, test_size=n_test, random_state=seed, stratify=labels)
        rest_labels = None if labels is None else labels[rest]
        if folds:
            train_part, val_part = _fold_parts(rest, rest_labels, folds, seed)[fold]
            train, val = rest[train_part], rest[val_part]
        else:
            train, val = train_test_split(
                rest, test_size=n_val, random_state=seed, stratify=rest_labels
            )
    except ValueError:
        if labels is None and folds:
            raise DataError(
                f"--folds {folds}: {source} has {count - n_test} examples outside the test "
                "split; use at most that many folds."
            ) from None
        if labels is None:
            raise
        counts = np.bincount(labels)
        present = np.flatnonzero(counts)
        smallest = int(present[counts[present].argmin()])
        name = class_names[smallest] if class_names else smallest
        if folds and rest is not None:
            outside = np.bincount(labels[rest], minlength=len(counts))[present].min()
            raise DataError(
                f"--folds {folds}: the smallest class of {source} has {outside} examples outside "
                f"the test split; use at most {outside} folds."
            ) from None
        raise DataError(
            f"class {name!r} of {source} has {counts[smallest]} examples; each class needs "
            "enough for the train, validation and test sets (at least 3, better dozens)."
        ) from None
    return {"train": np.sort(train), "val": np.sort(val), "test": np.sort(test)}


def _fold_parts(rows: np.ndarray, labels: np.ndarray | None, folds: int, seed: int) -> list:
    """(train, val) positions in `rows` of each fold, stratified by `labels` when given."""
    if labels is None:
        splitter = KFold(n_splits=folds, shuffle=True, random_state=seed)
    else:
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(rows, labels))


def fold_of_rows(splits: dict[str, np.ndarray], count: int, labels, folds: int, seed: int) -> list:
    """For each row, `test` or the fold whose validation part it is in."""
    assignment: list = ["test"] * count
    rest = np.setdiff1d(np.arange(count), splits["test"])
    rest_labels = None if labels is None else labels[rest]
    for index, (_, val) in enumerate(_fold_parts(rest, rest_labels, folds, seed)):
        for row in rest[val]:
            assignment[row] = index
    return assignment


def write_folds(path: Path, assignment: list, names: list[str] | None = None) -> Path:
    """folds.csv: each row (its number, or its file) and `test` or its validation fold."""
    with written_whole(path) as partial, partial.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["file" if names else "row", "fold"])
        writer.writerows(zip(names or range(len(assignment)), assignment, strict=True))
    return path
