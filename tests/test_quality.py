"""Each task, trained with its default settings on the demo data, reaches its quality bar."""

import json
import math
import shutil
import sys

import pytest

from tests.helpers import run

# Main test metric and the least it must reach with the default settings.
THRESHOLDS = {"classification": ("test/acc", 0.95), "regression": ("test/r2", 0.40)}


@pytest.fixture
def trained(render, tmp_path, request):
    """Train the project of one task with its default settings; return its output folder."""
    task = request.param
    project = tmp_path / "project"
    shutil.copytree(render(tasks=[task]), project)
    quiet = {"DYNACONF_CALLBACKS__PROGRESS_BAR__REFRESH_RATE": "0"}
    # Each default run must finish within two minutes on two cores.
    run([sys.executable, "main.py"], cwd=project, env=quiet, timeout=120)
    return project / "outputs"


@pytest.mark.slow
@pytest.mark.parametrize("trained", list(THRESHOLDS), indirect=True)
def test_supervised_task_reaches_its_threshold(trained):
    metrics = json.loads((trained / "metrics.json").read_text())
    name, least = THRESHOLDS[metrics["task"]]
    assert metrics[name] >= least, f"{name} = {metrics[name]:.3f}, below {least}"


@pytest.mark.slow
@pytest.mark.parametrize("trained", ["gan"], indirect=True)
def test_gan_losses_stay_finite_and_samples_are_drawn(trained):
    metrics = json.loads((trained / "metrics.json").read_text())
    assert all(math.isfinite(metrics[name]) for name in ("test/d_loss", "test/g_loss"))
    log = (trained / "logs/metrics.csv").read_text().splitlines()
    header = log[0].split(",")
    for row in log[1:]:
        for name, value in zip(header, row.split(","), strict=False):
            if name.endswith("_loss") and value:
                assert math.isfinite(float(value)), f"{name} = {value}"
    grid = trained / "report/gan_samples.png"
    assert grid.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and grid.stat().st_size > 5000
