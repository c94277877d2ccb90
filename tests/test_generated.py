"""Generated projects pass their own tests and train from `python main.py`, out of the box.

Every combination of data kind and tasks runs its own fast suite (`pytest`); the representative
projects (each data kind's default, and all tasks at once) run their slow suite too
(`pytest -m slow`), and a short `python main.py`.
"""

import json
import re
import shutil
import sys

import pytest
import yaml

from tests.helpers import ANSWER_COMBINATIONS, combination_id, run

# Each data kind's default project, and every task at once with the other non-default choices.
REPRESENTATIVE = {
    "table-default": {},
    "table-all-tasks": {"tasks": ["classification", "regression", "gan"], "cluster": "slurm"},
    "images-default": {"data_kind": "images"},
    "images-all-tasks": {"data_kind": "images", "tasks": ["classification", "regression", "gan"]},
}
# A line that reports a warning: the `file.py:<line>: ` prefix that Python and Lightning print
# before one, or the word "warn" in any case (UserWarning, warnings.warn, ...); or an advert.
WARNING_LINE = re.compile(r"\.py:\d+: |warn|Tip:", re.IGNORECASE)
SHORT_RUN = {
    "DYNACONF_TRAINER__MAX_EPOCHS": "2",
    "DYNACONF_CALLBACKS__PROGRESS_BAR__REFRESH_RATE": "0",
}
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]


def private_copy(render, tmp_path_factory, answers: dict, name: str):
    copy = tmp_path_factory.mktemp(name) / "project"
    shutil.copytree(render(**answers), copy)
    return copy


@pytest.mark.parametrize("answers", ANSWER_COMBINATIONS, ids=combination_id)
def test_own_fast_suite_passes(answers, render, tmp_path_factory):
    project = private_copy(render, tmp_path_factory, answers, combination_id(answers))
    completed = run(PYTEST, cwd=project, timeout=900)
    assert " passed" in completed.stdout and "failed" not in completed.stdout


@pytest.fixture(params=REPRESENTATIVE, scope="module")
def project(request, render, tmp_path_factory):
    return private_copy(render, tmp_path_factory, REPRESENTATIVE[request.param], request.param)


@pytest.mark.slow
def test_own_slow_suite_passes(project):
    completed = run([*PYTEST, "-m", "slow"], cwd=project, timeout=1800)
    assert " passed" in completed.stdout and "failed" not in completed.stdout


def test_short_training_run_writes_results(project):
    completed = run([sys.executable, "main.py"], cwd=project, env=SHORT_RUN, timeout=600)
    metrics = json.loads((project / "outputs/metrics.json").read_text())
    assert metrics["task"] in project.joinpath("config/config.yaml").read_text()
    assert (project / "outputs/checkpoints/last.ckpt").is_file()
    assert "Test metrics:" in completed.stdout


@pytest.mark.slow
def test_default_run_prints_no_warnings_or_tips(project, tmp_path):
    """Every task's `python main.py`, with its default settings and a first run's fresh data,
    outputs and tracker store, prints progress, metrics and paths, and no warning."""
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    for task in answers["tasks"]:
        fresh = tmp_path / task
        completed = run(
            [sys.executable, "main.py"],
            cwd=project,
            env={
                "DYNACONF_TASK": task,
                "DYNACONF_TRAINER__MAX_EPOCHS": "2",
                "DYNACONF_OUTPUT_DIR": str(fresh / "outputs"),
                "DYNACONF_DATA__DIR": str(fresh / "data"),
                "DYNACONF_TRACKER__STORE": str(fresh / "mlflow.db"),
                "DYNACONF_TRACKER__ARTIFACTS": str(fresh / "mlruns"),
            },
            timeout=600,
        )
        printed = (completed.stdout + completed.stderr).replace("\r", "\n").splitlines()
        noise = [line for line in printed if WARNING_LINE.search(line)]
        assert not noise, f"{task}: " + "\n".join(noise)
        assert "Test metrics:" in completed.stdout
