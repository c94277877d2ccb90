"""What repeated runs cost: `train --seeds N` against N single `train` runs, in one process.

Generates a project with the default answers (tables, classification), then, in this one process
and alternating the order over several repeats, times:
- singles: N runs of `python main.py train seed=<s> output_dir=...` through `main.main`;
- seeds: one `python main.py train --seeds s1,...,sN` through `main.main`.
Both use the same seeds, epochs and settings (no tracker, no progress bar). The issue's bound is
seeds / singles <= 1.1. Before each single run the in-process cache of read tables is emptied, as
a fresh process would find it, and the benchmark counts the table reads of each side
(utils/cache.py): a single run reads the table once, and so does the whole series of `--seeds`.
The last lines read `reads_singles=<n> reads_seeds=<m>` (per repeat), `seconds_summary=<s>` (what
writing the summary, its figure included, cost within the seeds side) and
`seconds_singles=<a> seconds_seeds=<b> ratio=<b/a>` (medians over the repeats).

    python benchmarks/repeats.py [--runs 3] [--epochs 3] [--repeats 3] [--project PATH]

`--project` times a project generated before (default answers) instead of generating one, for a
machine without copier.
"""

import argparse
import contextlib
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1]


def generate(destination: Path) -> Path:
    import copier

    copier.run_copy(
        str(TEMPLATE), str(destination), defaults=True, vcs_ref="HEAD", quiet=True, unsafe=False
    )
    return destination


def timed(main, arguments: list[str], trainings: int = 1) -> float:
    """Seconds of one `main(arguments)`, its output swallowed; fails loudly on a non-zero exit
    or when it did not fit `trainings` models."""
    output = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        status = main(arguments)
    seconds = time.perf_counter() - start
    text = output.getvalue()
    assert status == 0, text[-3000:]
    assert text.count("Test metrics:") == trainings, text[-3000:]
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--project", type=Path, help="a generated project to time")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if options.project:
            project = shutil.copytree(options.project, Path(folder) / "project")
        else:
            project = generate(Path(folder) / "project")
        os.chdir(project)
        sys.path.insert(0, str(project))
        import components.repeats
        from main import main as project_main
        from utils.readers import read_table

        seeds = list(range(42, 42 + options.runs))
        common = [
            f"trainer.max_epochs={options.epochs}",
            "trainer.accelerator=cpu",
            "callbacks.progress_bar.refresh_rate=0",
            "tracker.name=csv",
        ]
        # One untimed run first: imports, the demo table and the first-call costs.
        timed(project_main, ["train", *common, f"output_dir={folder}/warm"])
        # The summary's own cost (its table, files and figure), which single runs do not pay.
        summary_seconds = []
        write_summary = components.repeats.write_summary

        def timed_summary(*arguments):
            start = time.perf_counter()
            paths = write_summary(*arguments)
            summary_seconds.append(time.perf_counter() - start)
            return paths

        components.repeats.write_summary = timed_summary
        singles, repeated = [], []
        reads = {"singles": 0, "seeds": 0}
        for repeat in range(options.repeats):
            out = Path(folder) / f"repeat-{repeat}"

            def run_singles(out: Path = out) -> float:
                seconds, reads["singles"] = 0.0, 0
                for seed in seeds:
                    # What a fresh process finds: no table read yet.
                    read_table.cache_clear()
                    arguments = ["train", *common, f"seed={seed}", f"output_dir={out}/s{seed}"]
                    seconds += timed(project_main, arguments)
                    reads["singles"] += read_table.cache_info().misses
                return seconds

            def run_seeds(out: Path = out) -> float:
                read_table.cache_clear()
                listed = ",".join(map(str, seeds))
                arguments = ["train", "--seeds", listed, *common, f"output_dir={out}/seeds"]
                seconds = timed(project_main, arguments, trainings=len(seeds))
                reads["seeds"] = read_table.cache_info().misses
                return seconds

            sides = [(singles, run_singles), (repeated, run_seeds)]
            for results, side in sides if repeat % 2 == 0 else sides[::-1]:
                results.append(side())
            print(f"repeat {repeat}: singles {singles[-1]:.2f} s, seeds {repeated[-1]:.2f} s")
        print(f"reads_singles={reads['singles']} reads_seeds={reads['seeds']}")
        print(f"seconds_summary={statistics.median(summary_seconds):.2f}")
        single, seeded = statistics.median(singles), statistics.median(repeated)
        print(
            f"seconds_singles={single:.2f} seconds_seeds={seeded:.2f} ratio={seeded / single:.3f}"
        )


if __name__ == "__main__":
    main()
