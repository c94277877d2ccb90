"""`python main.py train --seeds ...`: one training run per seed, each in
<output_dir>/runs/seed-<n>/ with everything a single run writes, then the summary of their test
metrics. A run whose metrics.json exists finished before: it is read, not trained again, so a
killed series resumes where it stopped."""

import json
from pathlib import Path

from components.training import train
from utils.summary import summarize, summary_table, write_summary


def seed_list(settings, seeds: int | list[int]) -> list[int]:
    """The seeds to run: a list as given, or N seeds counted up from `settings.seed`."""
    return list(seeds) if isinstance(seeds, list) else [settings.seed + n for n in range(seeds)]


def train_repeats(
    settings, seeds: int | list[int], debug: str | None = None, profile: str | None = None
) -> dict[str, dict]:
    """Train once per seed, one after the other, and write and print the summary."""
    output_dir = Path(settings.output_dir)
    runs = {}
    for seed in seed_list(settings, seeds):
        name = f"seed-{seed}"
        run_dir = output_dir / "runs" / name
        finished = run_dir / "metrics.json"
        if finished.exists():
            print(f"{name}: finished before ({finished}); not trained again.")
            runs[name] = json.loads(finished.read_text())
            continue
        print(f"{name}: training in {run_dir}")
        run = settings.dynaconf_clone()
        run.set("seed", seed)
        run.set("output_dir", str(run_dir))
        runs[name] = train(run, debug, profile)
    summary = summarize(runs)
    paths = write_summary(summary, output_dir)
    print(f"Summary of {len(runs)} runs ({', '.join(str(path) for path in paths)}):")
    print(summary_table(summary))
    return summary
