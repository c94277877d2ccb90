"""Tables: reading CSV, TSV and Parquet files, choosing the columns, and the preprocessing that
turns raw rows into model inputs.

The demo tables are written from datasets bundled with scikit-learn, so the demo takes the same
road as your data.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from utils.errors import DataError
from utils.files import written_whole

# File extension -> column separator (None: a Parquet file).
READERS = {".csv": ",", ".tsv": "\t", ".parquet": None}
# What a missing category is called: a category of its own, so that "not given" can carry meaning.
MISSING = "(missing)"


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
    table = pd.DataFrame(features, columns=[f"x{i}" for i in range(features.shape[1])])
    table["target"] = targets
    # A concurrent reader (another tuning worker) never sees half a file.
    with written_whole(path) as partial:
        table.to_csv(partial, index=False, float_format="%.10g")
    return True


def resolve_path(directory: str | Path, file: str | Path) -> Path:
    """`file` as given when it is absolute, otherwise under `directory`."""
    file = Path(file).expanduser()
    return file if file.is_absolute() else Path(directory) / file


def read_table(path: Path) -> pd.DataFrame:
    """The rows of a .csv, .tsv or .parquet file, or DataError naming the file and the problem."""
    supported = ", ".join(READERS)
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise DataError(f"{path} is not a table this project reads; use one of {supported}.")
    if not path.is_file():
        demo = ", ".join(DEMO_TABLES)
        raise DataError(f"{path} does not exist; give a {supported} file (demo files: {demo}).")
    if path.stat().st_size == 0:
        raise DataError(f"{path} is empty; it needs a header row and at least one row of data.")
    try:
        if READERS[suffix] is None:
            frame = pd.read_parquet(path, engine="pyarrow")
        else:
            frame = pd.read_csv(path, sep=READERS[suffix], engine="pyarrow")
    except Exception as error:  # pyarrow and pandas raise many kinds; all mean the same here
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DataError(f"{path} could not be read as {suffix[1:]} ({reason}).") from None
    if frame.empty:
        raise DataError(f"{path} has no rows; it needs a header row and at least one row of data.")
    return frame


def choose_features(
    frame: pd.DataFrame,
    path: Path,
    target: str | None,
    features: list[str] | None = None,
    drop: list[str] | None = None,
) -> list[str]:
    """The feature columns: `features`, or every column but the target and `drop`.

    `target` None means the table has no target column (prediction, or a GAN's table).
    """
    columns = [str(column) for column in frame.columns]
    listed = f"its columns are {', '.join(columns)}"
    if target is not None and target not in columns:
        raise DataError(f"{path} has no target column '{target}'; {listed}.")
    for key, names in (("features", features), ("drop", drop)):
        unknown = [name for name in names or [] if name not in columns]
        if unknown:
            raise DataError(
                f"{path} has no column {', '.join(unknown)} (data.<task>.{key}); {listed}."
            )
    chosen = list(features) if features else [c for c in columns if c != target]
    chosen = [column for column in chosen if column not in set(drop or [])]
    if target in chosen:
        raise DataError(f"{path}: the target column '{target}' cannot also be a feature.")
    if not chosen:
        raise DataError(f"{path} has no feature columns left; {listed}.")
    return chosen


def is_numeric(column: pd.Series) -> bool:
    """Numbers are scaled; everything else (text, booleans, categories) is one-hot encoded."""
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def as_categories(column: pd.Series) -> pd.Series:
    """Each value as text, a missing one as MISSING: categories read the same from any file."""
    return column.astype("string").fillna(MISSING)


def category_codes(column: pd.Series, categories: list[str]) -> np.ndarray:
    """The index of each value in `categories`, -1 for a value not among them."""
    # pyarrow's hash lookup: several times faster than pandas' on a million text cells.
    values = pa.array(as_categories(column), type=pa.string())
    codes = pc.index_in(values, value_set=pa.array(categories, type=pa.string()))
    return pc.fill_null(codes, -1).to_numpy()


def fit_preprocessing(train: pd.DataFrame, features: list[str]) -> dict:
    """Fit the preprocessing on the training rows; return its parameters as plain data.

    It is scikit-learn's mixed-types recipe, a ColumnTransformer of
    `make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler())` for
    numbers and `OneHotEncoder(handle_unknown="ignore")` for the rest: missing numbers take the
    median, and each column that had gaps gets an indicator column; then everything numeric
    (indicators included) is standardised. Text, booleans and categories are one-hot encoded,
    missing a category of its own, a category never seen in training all zeros.

    The statistics are computed here with pandas rather than by fitting those objects: on a
    million-row table their fit took over 40 s and 5 GiB (SimpleImputer sorts a masked copy of
    every column; ColumnTransformer stacks a float64 copy of the whole output), this takes
    seconds. tests/test_tables.py checks that both give the same inputs.
    """
    numeric = [column for column in features if is_numeric(train[column])]
    categorical = [column for column in features if column not in numeric]
    medians, indicators, means, scales, shares = [], [], [], [], []
    for column in numeric:
        values = train[column].to_numpy(dtype=np.float64, na_value=np.nan)
        gaps = np.isnan(values)
        # A column empty in every training row is filled with 0 (scikit-learn would drop it).
        median = float(np.median(values[~gaps])) if not gaps.all() else 0.0
        filled = np.where(gaps, median, values)
        medians.append(median)
        means.append(float(filled.mean()))
        scales.append(_scale(float(filled.var())))
        if gaps.any():
            indicators.append(column)
            shares.append(float(gaps.mean()))
    # An indicator's mean is the share of gaps, its variance share * (1 - share).
    means += shares
    scales += [_scale(share * (1 - share)) for share in shares]
    categories = [sorted(as_categories(train[column]).unique().tolist()) for column in categorical]
    return {
        "features": list(features),
        "numeric": numeric,
        "medians": medians,
        "indicators": indicators,
        "means": means,
        "scales": scales,
        "categorical": categorical,
        "categories": [[str(value) for value in values] for values in categories],
    }


def _scale(variance: float) -> float:
    """StandardScaler's scale: the standard deviation, or 1 for a constant column."""
    return variance**0.5 if variance > 1e-12 else 1.0


class TablePreprocessor:
    """Turns raw rows into model inputs by the fitted preprocessing, which it keeps as plain data.

    Plain numbers and strings, because the checkpoint keeps them and must load with
    `torch.load(weights_only=True)`; a pickled scikit-learn ColumnTransformer would not.
    `TablePreprocessor.from_state(state).transform(frame)` gives the same inputs as that
    ColumnTransformer fitted on the same rows (tests/test_tables.py).
    """

    def __init__(self, state: dict) -> None:
        self.state = state

    @classmethod
    def from_state(cls, state: dict) -> "TablePreprocessor":
        return cls(state)

    @classmethod
    def fit(cls, train: pd.DataFrame, features: list[str]) -> "TablePreprocessor":
        return cls(fit_preprocessing(train, features))

    @property
    def features(self) -> list[str]:
        return self.state["features"]

    @property
    def width(self) -> int:
        """How many model inputs one row becomes."""
        return len(self.state["means"]) + sum(map(len, self.state["categories"]))

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """Model inputs, float32 [rows, width], from a frame that has every feature column."""
        state = self.state
        inputs = np.zeros((len(frame), self.width), dtype=np.float32)
        # Numbers are worked out one column at a time in a [column, row] block, contiguous per
        # column, then written across at once: no float64 copy of a million-row table.
        numeric = np.empty((len(state["means"]), len(frame)), dtype=np.float32)
        slots = {column: len(state["numeric"]) + i for i, column in enumerate(state["indicators"])}
        means, scales = state["means"], state["scales"]
        for index, (column, median) in enumerate(
            zip(state["numeric"], state["medians"], strict=True)
        ):
            try:
                values = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
            except (TypeError, ValueError):
                raise DataError(f"column {column} must hold numbers, as in training.") from None
            gaps = np.isnan(values)
            numeric[index] = (np.where(gaps, median, values) - means[index]) / scales[index]
            if column in slots:
                slot = slots[column]
                numeric[slot] = (gaps - means[slot]) / scales[slot]
        inputs[:, : len(means)] = numeric.T
        start = len(means)
        flat, width = inputs.reshape(-1), inputs.shape[1]
        for column, categories in zip(state["categorical"], state["categories"], strict=True):
            codes = category_codes(frame[column], categories)
            # A category never seen in training leaves its row's block all zeros.
            rows = np.flatnonzero(codes >= 0)
            flat[rows * width + start + codes[rows]] = 1.0
            start += len(categories)
        return inputs


def encode_classes(labels: pd.Series, path: Path, target: str) -> tuple[np.ndarray, list[str]]:
    """Labels (text, integers or booleans) as class indices 0..C-1, and the C class names."""
    if pd.api.types.is_float_dtype(labels) and (labels.dropna() % 1 == 0).all():
        labels = labels.astype("Int64")  # integer labels read with gaps arrive as floats
    classes = sorted(labels.dropna().unique().tolist())
    if len(classes) < 2:
        found = f"only {classes[0]!r}" if classes else "no labels"
        raise DataError(
            f"{path}: the target column '{target}' has {found}; classification needs at least "
            "two classes."
        )
    codes = pd.Categorical(labels, categories=classes).codes.astype(np.int64)
    return codes, [str(name) for name in classes]


def drop_missing_targets(frame: pd.DataFrame, target: str, path: Path) -> pd.DataFrame:
    """The rows whose target is given; says how many were dropped."""
    missing = frame[target].isna()
    if missing.any():
        print(f"{path}: {int(missing.sum())} rows without a '{target}' value were left out.")
        frame = frame.loc[~missing]
    if frame.empty:
        raise DataError(f"{path}: no row has a value in the target column '{target}'.")
    return frame.reset_index(drop=True)
