"""How long `python main.py predict` takes on 100,000 table rows, on the CPU.

Generates a project with the default answers (classification on the digits demo), trains it
briefly, writes a CSV of ROWS raw rows (the demo's rows repeated, with an `id` column to carry),
then times the whole command as a user runs it, from the shell: start-up, imports, checkpoint,
reading, preprocessing, Trainer.predict and writing predictions.csv. The target is 15 seconds.
The last line reads `predict_seconds=<median> rows=<n>`.

`--threads N` sets OMP_NUM_THREADS for the command: on a CPU shared with other work, torch's
intra-op threads wait for one another on every small operation, and one thread can be faster.

    python benchmarks/predict_speed.py [--rows 100000] [--repeats 3] [--threads N]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

TEMPLATE = Path(__file__).resolve().parents[1]
SHORT_TRAINING = [
    "trainer.max_epochs=1",
    "+trainer.limit_train_batches=5",
    "+trainer.limit_val_batches=2",
    "trainer.accelerator=cpu",
    "tracker.name=csv",
    "callbacks.progress_bar.refresh_rate=0",
]


def main_py(project: Path, *arguments: str, env: dict | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "main.py", *arguments]
    return subprocess.run(
        command, cwd=project, check=True, capture_output=True, text=True, env=env or os.environ
    )


def write_rows(project: Path, rows: int, path: Path) -> None:
    demo = pd.read_csv(project / "data" / "digits.csv").drop(columns="target")
    picked = demo.iloc[np.arange(rows) % len(demo)].reset_index(drop=True)
    picked.insert(0, "id", np.arange(rows))
    picked.to_csv(path, index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, help="OMP_NUM_THREADS for the command")
    args = parser.parse_args()
    env = {**os.environ, **({"OMP_NUM_THREADS": str(args.threads)} if args.threads else {})}

    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch) / "project"
        import copier

        copier.run_copy(
            str(TEMPLATE), str(project), defaults=True, vcs_ref="HEAD", quiet=True, unsafe=False
        )
        main_py(project, "train", *SHORT_TRAINING)
        source = Path(scratch) / "rows.csv"
        write_rows(project, args.rows, source)
        seconds = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            main_py(project, "predict", "--input", str(source), "trainer.accelerator=cpu", env=env)
            seconds.append(time.perf_counter() - start)
        written = pd.read_csv(project / "outputs" / "predictions.csv", usecols=["id"])
        assert written["id"].tolist() == list(range(args.rows)), "rows out of input order"
        print("runs (s): " + " ".join(f"{value:.2f}" for value in seconds))
        print(f"predict_seconds={statistics.median(seconds):.2f} rows={args.rows}")


if __name__ == "__main__":
    main()
