"""Every combination of data kind and tasks renders the seed's tree, only the chosen code,
lint-clean, reading as hand-written."""

import ast

import pytest
import yaml

from tests.helpers import (
    ANSWER_COMBINATIONS,
    assert_lint_clean,
    assert_reads_hand_written,
    combination_id,
    project_files,
)

# The seed's tree and the framework's files, present whatever the answers. Files whose content
# depends on the data kind keep one name for both kinds, so that switching kinds by `copier
# update` merges a person's edits to them instead of deleting the files.
ALWAYS = {
    ".copier-answers.yml",
    ".env",
    ".env.example",
    ".gitignore",
    "AUTHORS.rst",
    "README.md",
    "components/building.py",
    "components/callbacks.py",
    "components/checkpoints.py",
    "components/data_base.py",
    "components/data_module.py",
    "components/evaluation.py",
    "components/export.py",
    "components/inference.py",
    "components/tasks.py",
    "components/tracking.py",
    "components/training.py",
    "components/tuning.py",
    "config.py",
    "config/config.yaml",
    "data/.gitkeep",
    "main.py",
    "models/__init__.py",
    "models/base_model/networks.py",
    "models/base_model/optimization.py",
    "models/base_model/task.py",
    "models/model_lit.py",
    "models/modules/sample_torch_module.py",
    "pyproject.toml",
    "requirements.txt",
    "tests/conftest.py",
    "tests/data_samples.py",
    "tests/test_cli.py",
    "tests/test_data.py",
    "tests/test_failures.py",
    "tests/test_gpu.py",
    "tests/test_networks.py",
    "tests/test_resource.py",
    "utils/errors.py",
    "utils/hardware.py",
    "utils/pictures.py",
    "utils/readers.py",
    "utils/report.py",
    "utils/splits.py",
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
# Code that only one data kind has: names that must not appear in the other kind's project.
KIND_ONLY = {
    "table": ("TableDataModule", "TablePreprocessor", "def read_table(", "class MLP", "animals("),
    "images": ("ImageFolderDataModule", "list_images", "torchvision", "messy_folder"),
}

# What the bases take care of, never an argument of a person's model.
PLUMBING = {"optimizer", "scheduler", "preprocessing", "target_mean", "target_std", "image_side"}


@pytest.fixture(params=ANSWER_COMBINATIONS, ids=combination_id)
def answers_and_project(request, render):
    return request.param, render(**request.param)


def python_code(project) -> str:
    return "\n".join(
        (project / name).read_text() for name in project_files(project) if name.endswith(".py")
    )


def test_tree_has_the_seed_layout_and_only_chosen_tasks(answers_and_project):
    answers, project = answers_and_project
    files = project_files(project)
    assert files >= ALWAYS, ALWAYS - files
    for task, task_files in PER_TASK.items():
        if task in answers["tasks"]:
            assert task_files <= files, task_files - files
        else:
            assert not task_files & files, task_files & files
    supervised = bool({"classification", "regression"} & set(answers["tasks"]))
    assert ("models/base_model/supervised.py" in files) == supervised


def test_only_chosen_tasks_are_wired_in(answers_and_project):
    answers, project = answers_and_project
    code = python_code(project)
    config = yaml.safe_load((project / "config/config.yaml").read_text())
    for task, names in CLASS_NAMES.items():
        chosen = task in answers["tasks"]
        assert all((name in code) == chosen for name in names), (task, chosen)
        assert (task in config["model"]) == chosen
        assert (task in config["data"]) == chosen
    assert config["task"] == answers["tasks"][0]


def test_only_the_chosen_data_kinds_code(answers_and_project):
    answers, project = answers_and_project
    code = python_code(project)
    for kind, names in KIND_ONLY.items():
        present = [name for name in names if name in code]
        if kind == answers["data_kind"]:
            assert present, f"{kind}: none of {names}"
        else:
            assert not present, f"a {answers['data_kind']} project has {kind} code: {present}"
    requirements = (project / "requirements.txt").read_text()
    images = answers["data_kind"] == "images"
    assert ("torchvision" in requirements) == images
    # timm names image backbones (`class: timm/<model>`)
    assert ("timm" in requirements) == images


def test_user_model_file_holds_no_plumbing(answers_and_project):
    _, project = answers_and_project
    tree = ast.parse((project / "models/model_lit.py").read_text())
    for model in [node for node in tree.body if isinstance(node, ast.ClassDef)]:
        methods = {node.name: node for node in model.body if isinstance(node, ast.FunctionDef)}
        assert set(methods) == {"__init__", "forward"}, (model.name, set(methods))
        arguments = {argument.arg for argument in methods["__init__"].args.args}
        assert not arguments & PLUMBING, (model.name, arguments & PLUMBING)


def test_no_import_runs_back_up(answers_and_project):
    _, project = answers_and_project
    for name in project_files(project):
        if name.startswith(("models/", "utils/")) and name.endswith(".py"):
            text = (project / name).read_text()
            assert "from components" not in text and "import components" not in text, name
        if name.startswith("utils/") and name.endswith(".py"):
            assert "from models" not in (project / name).read_text(), name


def test_ruff_check_and_format_are_clean(answers_and_project):
    assert_lint_clean(answers_and_project[1])


def test_no_jinja_leftovers(answers_and_project):
    assert_reads_hand_written(answers_and_project[1])


def test_answers_are_recorded_for_updates(answers_and_project):
    answers, project = answers_and_project
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert recorded["tasks"] == answers["tasks"]
    assert recorded["data_kind"] == answers["data_kind"]
    assert recorded["_src_path"]
    assert "default_task" not in recorded, "computed values must not be stored"
