"""Every combination of tasks renders the seed's tree, only the chosen files, lint-clean."""

import pytest
import yaml

from tests.helpers import (
    TASK_COMBINATIONS,
    assert_lint_clean,
    assert_reads_hand_written,
    project_files,
)

# The seed's tree, present whatever the answers.
ALWAYS = {
    ".copier-answers.yml",
    ".env",
    ".env.example",
    ".gitignore",
    "AUTHORS.rst",
    "README.md",
    "components/callbacks.py",
    "components/checkpoints.py",
    "components/data_module.py",
    "components/evaluation.py",
    "components/export.py",
    "components/inference.py",
    "components/training.py",
    "config.py",
    "config/config.yaml",
    "data/.gitkeep",
    "main.py",
    "models/__init__.py",
    "models/base_model/optimization.py",
    "models/model_lit.py",
    "models/modules/sample_torch_module.py",
    "pyproject.toml",
    "requirements.txt",
    "tests/conftest.py",
    "tests/test_cli.py",
    "tests/test_failures.py",
    "tests/test_gpu.py",
    "tests/test_resource.py",
    "utils/errors.py",
    "utils/hardware.py",
    "utils/report.py",
    "utils/tabular.py",
}
# Files that exist exactly when their task is chosen.
PER_TASK = {
    "classification": {
        "models/base_model/classification.py",
        "models/metrics/classification.py",
        "tests/test_classification.py",
    },
    "regression": {
        "models/base_model/regression.py",
        "models/metrics/regression.py",
        "tests/test_regression.py",
    },
    "gan": {"models/base_model/gan.py", "tests/test_gan.py"},
}
CLASS_NAMES = {
    "classification": ("ClassificationModel", "ClassificationDataModule"),
    "regression": ("RegressionModel", "RegressionDataModule"),
    "gan": ("GANModel", "GANDataModule"),
}


@pytest.fixture(params=TASK_COMBINATIONS, ids=lambda tasks: "+".join(tasks))
def tasks_and_project(request, render):
    return request.param, render(tasks=request.param)


def test_tree_has_the_seed_layout_and_only_chosen_tasks(tasks_and_project):
    tasks, project = tasks_and_project
    files = project_files(project)
    assert files >= ALWAYS, ALWAYS - files
    for task, task_files in PER_TASK.items():
        if task in tasks:
            assert task_files <= files, task_files - files
        else:
            assert not task_files & files, task_files & files
    supervised = bool({"classification", "regression"} & set(tasks))
    assert ("models/base_model/supervised.py" in files) == supervised
    assert ("tests/test_tables.py" in files) == supervised


def test_only_chosen_tasks_are_wired_in(tasks_and_project):
    tasks, project = tasks_and_project
    code = (project / "models/model_lit.py").read_text()
    code += (project / "components/training.py").read_text()
    code += (project / "components/data_module.py").read_text()
    config = yaml.safe_load((project / "config/config.yaml").read_text())
    for task, names in CLASS_NAMES.items():
        chosen = task in tasks
        assert all((name in code) == chosen for name in names), (task, chosen)
        assert (task in config["model"]) == chosen
        assert (task in config["data"]) == chosen
    assert config["task"] == tasks[0] if tasks[0] != "gan" or len(tasks) == 1 else True


def test_ruff_check_and_format_are_clean(tasks_and_project):
    assert_lint_clean(tasks_and_project[1])


def test_no_jinja_leftovers(tasks_and_project):
    assert_reads_hand_written(tasks_and_project[1])


def test_answers_are_recorded_for_updates(tasks_and_project):
    tasks, project = tasks_and_project
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["tasks"] == tasks
    assert answers["_src_path"]
    assert "default_task" not in answers, "computed values must not be stored"
