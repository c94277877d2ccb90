"""The summary of repeated runs: per test metric the mean, standard deviation, min, max and every
run's value, as summary.csv, summary.json, a printed table and a figure."""

import csv
import json
from pathlib import Path

import numpy as np

from utils.files import written_whole
from utils.report import pyplot, save_figure


def summarize(runs: dict[str, dict]) -> dict[str, dict]:
    """{metric: {mean, std, min, max, runs: {run: value}}} over the numeric metrics that every
    run has. The standard deviation is the sample one (ddof=1; 0 for a single run)."""
    names = [name for name, value in next(iter(runs.values())).items() if _number(value)]
    summary = {}
    for name in names:
        values = {run: float(metrics[name]) for run, metrics in runs.items() if name in metrics}
        if len(values) != len(runs):
            continue
        array = np.array(list(values.values()))
        summary[name] = {
            "mean": float(array.mean()),
            "std": float(array.std(ddof=1)) if len(array) > 1 else 0.0,
            "min": float(array.min()),
            "max": float(array.max()),
            "runs": values,
        }
    return summary


def flat_summary(summary: dict[str, dict]) -> dict[str, float]:
    """The summary as one value per name, `<metric>/<mean|std|min|max>`, for a tracker."""
    stats = ("mean", "std", "min", "max")
    return {f"{name}/{stat}": entry[stat] for name, entry in summary.items() for stat in stats}


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def write_summary(summary: dict[str, dict], output_dir: Path) -> list[Path]:
    """summary.json, summary.csv (one row per metric) and report/summary.png under
    `output_dir`, each written whole; returns their paths."""
    runs = list(next(iter(summary.values()))["runs"]) if summary else []
    json_path = output_dir / "summary.json"
    with written_whole(json_path) as partial:
        partial.write_text(json.dumps(summary, indent=2) + "\n")
    csv_path = output_dir / "summary.csv"
    with written_whole(csv_path) as partial, partial.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["metric", "mean", "std", "min", "max", *runs])
        for name, entry in summary.items():
            stats = [entry[key] for key in ("mean", "std", "min", "max")]
            writer.writerow([name, *stats, *(entry["runs"][run] for run in runs)])
    return [
        json_path,
        csv_path,
        save_summary_figure(summary, output_dir / "report" / "summary.png"),
    ]


def summary_table(summary: dict[str, dict]) -> str:
    """The summary as a text table: metric, mean ± std, min, max, number of runs."""
    width = max((len(name) for name in summary), default=6)
    lines = [f"{'metric':<{width}}  {'mean ± std':>19}  {'min':>9}  {'max':>9}  runs"]
    for name, entry in summary.items():
        spread = f"{entry['mean']:.4f} ± {entry['std']:.4f}"
        lines.append(
            f"{name:<{width}}  {spread:>19}  {entry['min']:>9.4f}  {entry['max']:>9.4f}  "
            f"{len(entry['runs'])}"
        )
    return "\n".join(lines)


def save_summary_figure(summary: dict[str, dict], path: Path) -> Path:
    """One panel per metric: a point per run and the mean with a ± std bar beside them."""
    plt = pyplot()
    count = max(1, len(summary))
    figure, axes = plt.subplots(1, count, figsize=(2.6 * count, 3.2), squeeze=False)
    for axis, (name, entry) in zip(axes[0], summary.items(), strict=False):
        values = list(entry["runs"].values())
        axis.scatter(np.zeros(len(values)), values, alpha=0.7, label="runs")
        axis.errorbar([1], [entry["mean"]], yerr=[entry["std"]], fmt="o", capsize=6, color="k")
        axis.set_xticks([0, 1], ["runs", "mean ± std"])
        axis.set_xlim(-0.6, 1.6)
        axis.set_title(name)
    figure.tight_layout()
    return save_figure(figure, path)
