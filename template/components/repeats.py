"""`python main.py train --seeds ... --folds K [--jobs N]`: one training run per seed and fold,
each in <output_dir>/runs/<name>/ (seed-<n>, fold-<k> or seed-<n>-fold-<k>) with everything a
single run writes, then the summary of their test metrics. A run whose metrics.json exists
finished before: it is read, not trained again, so a killed series resumes where it stopped.

With a tracker, the runs are children of one parent run that receives the summary
(components/tracking.py). With `--jobs N` (by default one per CUDA device on a GPU machine), N
runs train at once, each in a process of its own pinned to one device."""

import json
import os
from pathlib import Path

from components.tracking import finish_parent, start_parent
from utils.hardware import available_cores
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


def cuda_devices(settings) -> list[str]:
    """The CUDA devices the runs may go to (as CUDA_VISIBLE_DEVICES names them), or none when
    the runs train on the CPU: the accelerator is cpu, or no CUDA device is there."""
    import torch

    if settings.trainer.accelerator not in ("auto", "gpu", "cuda") or not torch.cuda.is_available():
        return []
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    names = [name.strip() for name in visible.split(",")] if visible else []
    return names[: torch.cuda.device_count()] or [str(i) for i in range(torch.cuda.device_count())]


def default_jobs(settings) -> int:
    """One run per CUDA device when each run takes one device (trainer.devices auto or 1);
    otherwise, and on the CPU, one run at a time."""
    if settings.trainer.devices not in ("auto", -1, 1):
        return 1
    return max(1, len(cuda_devices(settings)))


def train_repeats(
    settings,
    seeds: int | list[int] | None,
    folds: int | None = None,
    debug: str | None = None,
    profile: str | None = None,
    jobs: int | None = None,
) -> dict[str, dict]:
    """Train each run, `jobs` at a time (default: `default_jobs`), skipping those that finished
    before; then write and print the summary and give it to the tracker's parent run."""
    output_dir = Path(settings.output_dir)
    runs, pending = {}, []
    parent = None
    for name, changes in planned_runs(settings, seeds, folds, output_dir):
        run_dir = output_dir / "runs" / name
        finished = run_dir / "metrics.json"
        if finished.exists():
            print(f"{name}: finished before ({finished}); not trained again.")
            runs[name] = json.loads(finished.read_text())
            continue
        if parent is None:
            parent = start_parent(settings, output_dir) or {}
        pending.append((name, {**changes, "output_dir": str(run_dir)}))
    # Each run's settings are made when it starts: a series that fails at its first run (too
    # many folds) stops before copying the settings of all the others.
    planned = ((name, run_settings(settings, name, changes, parent)) for name, changes in pending)
    jobs = min(jobs or default_jobs(settings), max(1, len(pending)))
    if jobs == 1:
        from components.training import train

        for name, run in planned:
            print(f"{name}: training in {run.output_dir}")
            runs[name] = train(run, debug, profile)
    else:
        runs |= train_in_parallel(
            planned, len(pending), jobs, cuda_devices(settings), debug, profile
        )
    # In the order planned, whichever finished first.
    runs = {name: runs[name] for name, _ in planned_runs(settings, seeds, folds, output_dir)}
    summary = summarize(runs)
    paths = write_summary(summary, output_dir)
    print(f"Summary of {len(runs)} runs ({', '.join(str(path) for path in paths)}):")
    print(summary_table(summary))
    if pending:
        # Nothing trained: the parent run received this summary when the series ended.
        finish_parent(settings, parent or None, summary, paths)
    return summary


def run_settings(settings, name: str, changes: dict, parent: dict | None):
    """The settings of the run `name`: the series' with `changes`, and the tracker's parent."""
    run = settings.dynaconf_clone()
    for key, value in changes.items():
        run.set(key, value)
    if parent:
        run.set("repeat", {"name": name, **parent})
    return run


def train_in_parallel(
    planned, count: int, jobs: int, devices: list[str], debug: str | None, profile: str | None
) -> dict[str, dict]:
    """Train the `count` `planned` (name, settings) runs, `jobs` at a time, each in a process
    of its own (spawned, so that CUDA starts afresh in each) pinned to one of `devices` in turn,
    or on the CPU with its share of the cores when `devices` is empty. A run is handed over when
    a process is free; the first failure stops the runs not yet started and is raised once the
    running ones end."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    from config import settings_as_dict

    context = multiprocessing.get_context("spawn")
    slots = context.Queue()
    for index in range(jobs):
        slots.put(devices[index % len(devices)] if devices else None)
    threads = max(1, available_cores() // jobs)
    where = f"on CUDA devices {', '.join(devices)}" if devices else "on the CPU"
    print(f"Training {count} runs, {jobs} at a time {where}.")
    results = {}
    with ProcessPoolExecutor(
        jobs, mp_context=context, initializer=pin, initargs=(slots, threads)
    ) as pool:
        running = {}

        def hand_over() -> None:
            for name, run in planned:
                if devices:
                    run.set("trainer.devices", 1)
                print(f"{name}: training in {run.output_dir}")
                running[pool.submit(train_one, settings_as_dict(run), debug, profile)] = name
                if len(running) == jobs:
                    return

        try:
            hand_over()
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    results[running.pop(future)] = future.result()
                hand_over()
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return results


def pin(slots, threads: int) -> None:
    """A worker process's start: its own CUDA device (taken before CUDA starts in the process),
    or `threads` CPU threads."""
    device = slots.get()
    if device is not None:
        os.environ["CUDA_VISIBLE_DEVICES"] = device
        print(f"worker {os.getpid()} pinned to CUDA device {device}", flush=True)
    else:
        import torch

        torch.set_num_threads(threads)


def train_one(values: dict, debug: str | None, profile: str | None) -> dict:
    """One run in a worker process, from the plain settings `values` of the run."""
    from components.training import train
    from config import load_settings

    settings = load_settings()
    for key, value in values.items():
        settings.set(key, value, merge=False)
    return train(settings, debug, profile)
