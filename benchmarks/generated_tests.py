"""Wall time of a generated project's own `pytest` (the fast suite a person runs after each edit)
for the all-tasks project of each data kind; the goal is under 60 seconds on two cores.

Generates both projects from the working tree, runs each suite once to write its demo data and
compile its bytecode, then times `--repeats` more runs of each, alternating the projects. The
last line reads `table_s=<median> images_s=<median> load=<1-minute load average at the start>`.

    python benchmarks/generated_tests.py [--repeats 3]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import copier

TEMPLATE = Path(__file__).resolve().parents[1]
ALL_TASKS = ["classification", "regression", "gan"]


def pytest_seconds(project: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as scratch:
        projects = {}
        for kind in ("table", "images"):
            projects[kind] = Path(scratch) / kind
            copier.run_copy(
                str(TEMPLATE),
                str(projects[kind]),
                data={"data_kind": kind, "tasks": ALL_TASKS},
                defaults=True,
                vcs_ref="HEAD",
                quiet=True,
            )
            pytest_seconds(projects[kind])  # demo data, bytecode
        times = {kind: [] for kind in projects}
        for _ in range(args.repeats):
            for kind, project in projects.items():
                times[kind].append(pytest_seconds(project))
        for kind, seconds in times.items():
            shown = " ".join(f"{value:.1f}" for value in seconds)
            print(f"{kind}: median {statistics.median(seconds):.1f} s ({shown})")
        medians = " ".join(f"{kind}_s={statistics.median(s):.1f}" for kind, s in times.items())
        print(f"{medians} load={load:.2f}")


if __name__ == "__main__":
    main()
