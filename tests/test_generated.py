"""Generated projects pass their own tests and train from `python main.py`, out of the box."""

import json
import shutil
import sys

import pytest

from tests.helpers import run

# The default project, and every task at once with the other non-default choices.
REPRESENTATIVE = {
    "default": {},
    "all-tasks": {"tasks": ["classification", "regression", "gan"], "cluster": "slurm"},
}
SHORT_RUN = {
    "DYNACONF_TRAINER__MAX_EPOCHS": "2",
    "DYNACONF_CALLBACKS__PROGRESS_BAR__REFRESH_RATE": "0",
}


@pytest.fixture(params=REPRESENTATIVE, scope="module")
def project(request, render, tmp_path_factory):
    copy = tmp_path_factory.mktemp(request.param) / "project"
    shutil.copytree(render(**REPRESENTATIVE[request.param]), copy)
    return copy


def test_own_test_suite_passes(project):
    completed = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project)
    assert " passed" in completed.stdout and "failed" not in completed.stdout


def test_short_training_run_writes_results(project):
    completed = run([sys.executable, "main.py"], cwd=project, env=SHORT_RUN, timeout=300)
    metrics = json.loads((project / "outputs/metrics.json").read_text())
    assert metrics["task"] in project.joinpath("config/config.yaml").read_text()
    assert (project / "outputs/checkpoints/last.ckpt").is_file()
    assert "Test metrics:" in completed.stdout
