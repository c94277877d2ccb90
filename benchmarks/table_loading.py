"""How long a generated project takes to read and preprocess a large table, and the memory it needs.

Writes a table of 1,000,000 rows (40 numeric and 10 categorical columns with 5 % of the cells
empty, and a text label) as CSV and as Parquet, generates a project with the default answers, and
times its classification data module's `setup()` on each file: reading, dropping rows without a
label, splitting, fitting the preprocessing on the training split and transforming every row
into float32 inputs (wall-clock time; the CPU time is shown beside it, since a busy machine
stretches the first but not the second). Each file is measured in a fresh process, so that the
peak resident memory (the process's whole high-water mark, Python and torch included) belongs to
that file alone.
The last line reads `csv_s=<x> parquet_s=<y> peak_gib=<z>` (z: the larger of the two peaks).

    python benchmarks/table_loading.py [--rows 1000000] [--repeats 1]
"""

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv
import pyarrow.parquet

TEMPLATE = Path(__file__).resolve().parents[1]
NUMERIC, CATEGORICAL, MISSING_SHARE = 40, 10, 0.05


def write_table(rows: int, folder: Path, seed: int = 0) -> dict[str, Path]:
    """The benchmark table as table.csv and table.parquet in `folder`."""
    rng = np.random.default_rng(seed)
    columns = {}
    for index in range(NUMERIC):
        values = rng.normal(index, 1 + index % 5, rows)
        columns[f"n{index}"] = pa.array(values, mask=rng.random(rows) < MISSING_SHARE)
    for index in range(CATEGORICAL):
        levels = np.array([f"level_{level}" for level in range(3 + 3 * index)])
        values = levels[rng.integers(0, len(levels), rows)]
        columns[f"c{index}"] = pa.array(values, mask=rng.random(rows) < MISSING_SHARE)
    signal = np.nan_to_num(columns["n0"].to_numpy(zero_copy_only=False)) - 0.5
    columns["label"] = pa.array(np.where(signal > 0, "yes", "no"))
    table = pa.table(columns)
    paths = {"csv": folder / "table.csv", "parquet": folder / "table.parquet"}
    pyarrow.csv.write_csv(table, paths["csv"])
    pyarrow.parquet.write_table(table, paths["parquet"])
    return paths


def generate(destination: Path) -> Path:
    import copier

    copier.run_copy(
        str(TEMPLATE), str(destination), defaults=True, vcs_ref="HEAD", quiet=True, unsafe=False
    )
    return destination


def measure(project: Path, path: Path) -> None:
    """In this process: time the data module's setup() on `path`; print seconds and peak GiB."""
    sys.path.insert(0, str(project))
    from components.data_module import ClassificationDataModule

    datamodule = ClassificationDataModule(path, target="label")
    start, cpu = time.perf_counter(), time.process_time()
    datamodule.setup()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    rows = sum(len(split) for split in datamodule.splits.values())
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux
    print(json.dumps({"seconds": seconds, "cpu_s": cpu, "peak_gib": peak_gib, "rows": rows}))


def run_measure(project: Path, path: Path) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--measure", str(project), str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--measure", nargs=2, metavar=("PROJECT", "TABLE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(Path(args.measure[0]), Path(args.measure[1]))
        return

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        start = time.perf_counter()
        paths = write_table(args.rows, folder)
        sizes = ", ".join(
            f"{kind} {path.stat().st_size / 2**20:.0f} MiB" for kind, path in paths.items()
        )
        print(f"wrote {args.rows} rows in {time.perf_counter() - start:.1f} s ({sizes})")
        project = generate(folder / "project")
        results = {}
        for kind, path in paths.items():
            runs = [run_measure(project, path) for _ in range(args.repeats)]
            results[kind] = {
                "seconds": statistics.median(run["seconds"] for run in runs),
                "cpu_s": statistics.median(run["cpu_s"] for run in runs),
                "peak_gib": max(run["peak_gib"] for run in runs),
            }
            seconds, cpu, peak = (results[kind][key] for key in ("seconds", "cpu_s", "peak_gib"))
            print(
                f"{kind}: {seconds:.1f} s ({cpu:.1f} s of CPU time), peak {peak:.2f} GiB, "
                f"{runs[0]['rows']} rows"
            )
    peak = max(result["peak_gib"] for result in results.values())
    print(
        f"csv_s={results['csv']['seconds']:.1f} parquet_s={results['parquet']['seconds']:.1f} "
        f"peak_gib={peak:.2f}"
    )


if __name__ == "__main__":
    main()
