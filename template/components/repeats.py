"""`python main.py train --seeds ... --folds K`: one training run per seed and fold, each in
<output_dir>/runs/<name>/ (seed-<n>, fold-<k> or seed-<n>-fold-<k>) with everything a single run
writes, then the summary of their test metrics. A run whose metrics.json exists finished before:
it is read, not trained again, so a killed series resumes where it stopped."""

import json
from pathlib import Path

from components.training import train
from utils.summary import summarize, summary_table, write_summary


def seed_list(settings, seeds: int | list[int] | None) -> list[int]:
    """The seeds to run: a list as given, or N seeds counted up from `settings.seed`."""
    if seeds is None:
        return [settings.seed]
    return list(seeds) if isinstance(seeds, list) else [settings.seed + n for n in range(seeds)]


def planned_runs(settings, seeds, folds: int | None, output_dir: Path) -> list[tuple[str, dict]]:
    """(name, settings to set) of each run, seeds outer and folds inner."""
    runs = []
    for seed in seed_list(settings, seeds):
        for fold in range(folds) if folds else [None]:
            parts = ([f"seed-{seed}"] if seeds is not None else []) + (
                [f"fold-{fold}"] if fold is not None else []
            )
            changes = {"seed": seed}
            if fold is not None:
                table = "folds.csv" if seeds is None else f"folds-seed-{seed}.csv"
                changes["cross_validation"] = {
                    "folds": folds,
                    "fold": fold,
                    "table": str(output_dir / table),
                }
            runs.append(("-".join(parts), changes))
    return runs


def train_repeats(
    settings,
    seeds: int | list[int] | None,
    folds: int | None = None,
    debug: str | None = None,
    profile: str | None = None,
) -> dict[str, dict]:
    """Train each run in turn, skipping those that finished before, then write and print the
    summary."""
    output_dir = Path(settings.output_dir)
    runs = {}
    for name, changes in planned_runs(settings, seeds, folds, output_dir):
        run_dir = output_dir / "runs" / name
        finished = run_dir / "metrics.json"
        if finished.exists():
            print(f"{name}: finished before ({finished}); not trained again.")
            runs[name] = json.loads(finished.read_text())
            continue
        print(f"{name}: training in {run_dir}")
        run = settings.dynaconf_clone()
        for key, value in changes.items():
            run.set(key, value)
        run.set("output_dir", str(run_dir))
        runs[name] = train(run, debug, profile)
    summary = summarize(runs)
    paths = write_summary(summary, output_dir)
    print(f"Summary of {len(runs)} runs ({', '.join(str(path) for path in paths)}):")
    print(summary_table(summary))
    return summary
