"""Reads and writes the CSV tables that every data module trains on.

A table has a header row, numeric feature columns and a numeric `target` column. The demo tables
are written from datasets bundled with scikit-learn, so the demo takes the same road as your data.
"""

import os
from pathlib import Path

import numpy as np

from utils.errors import DataError

TARGET_COLUMN = "target"
EXPECTED = "a CSV file with a header row, numeric feature columns and a numeric 'target' column"


def _digits():
    from sklearn.datasets import load_digits

    return load_digits(return_X_y=True)


def _diabetes():
    from sklearn.datasets import load_diabetes

    return load_diabetes(return_X_y=True)


# Demo file name -> loader of (features, targets) shipped inside scikit-learn.
DEMO_TABLES = {"digits.csv": _digits, "diabetes.csv": _diabetes}


def write_demo_table(path: Path) -> bool:
    """Write the demo table named like `path` if it is missing; return whether it was written."""
    if path.exists() or path.name not in DEMO_TABLES:
        return False
    features, targets = DEMO_TABLES[path.name]()
    table = np.column_stack([features, targets])
    header = ",".join([f"x{i}" for i in range(features.shape[1])] + [TARGET_COLUMN])
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename, so a concurrent reader never sees half a file.
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    np.savetxt(partial, table, delimiter=",", header=header, comments="", fmt="%.10g")
    os.replace(partial, path)
    return True


def read_table(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Return (features, targets) as float32 arrays, or raise DataError naming the file."""
    if not path.is_file():
        demo = ", ".join(DEMO_TABLES)
        raise DataError(f"{path} does not exist; expected {EXPECTED} (demo files: {demo}).")
    with path.open() as handle:
        header = [name.strip() for name in handle.readline().strip().split(",")]
    if TARGET_COLUMN not in header or len(header) < 2:
        raise DataError(f"{path} has header {header[:5]}...; expected {EXPECTED}.")
    try:
        table = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float32, ndmin=2)
    except ValueError as error:
        raise DataError(f"{path} is malformed ({error}); expected {EXPECTED}.") from None
    if table.shape[0] == 0 or table.shape[1] != len(header):
        raise DataError(f"{path} has no rows of {len(header)} columns; expected {EXPECTED}.")
    if not np.isfinite(table).all():
        raise DataError(f"{path} contains NaN or infinite values; expected finite numbers.")
    target = header.index(TARGET_COLUMN)
    return np.delete(table, target, axis=1), table[:, target]
