"""data_kind=images: every task combination renders the image pieces, lint-clean; tables do not.

The per-task test files keep their names for both data kinds, so that switching an existing
project's data_kind merges the tests its owner added to them instead of deleting the files.
"""

import pytest
import yaml

from tests.helpers import (
    TASK_COMBINATIONS,
    assert_lint_clean,
    assert_reads_hand_written,
    project_files,
)

# Files an images project has whatever its tasks, and those that only some tasks bring.
IMAGE_FILES = {
    "utils/images.py",
    "components/image_data.py",
    "tests/test_images.py",
    "tests/image_folders.py",
}
SUPERVISED_NETWORKS = "models/modules/image_networks.py"
GAN_NETWORKS = "models/modules/dcgan.py"
TASK_TESTS = {task: f"tests/test_{task}.py" for task in ("classification", "regression", "gan")}


@pytest.fixture(params=TASK_COMBINATIONS, ids=lambda tasks: "+".join(tasks))
def images_project(request, render):
    return request.param, render(tasks=request.param, data_kind="images")


def test_image_pieces_are_there_and_each_task_keeps_its_test_file(images_project):
    tasks, project = images_project
    files = project_files(project)
    assert files >= IMAGE_FILES, IMAGE_FILES - files
    assert (SUPERVISED_NETWORKS in files) == bool({"classification", "regression"} & set(tasks))
    assert (GAN_NETWORKS in files) == ("gan" in tasks)
    for task, name in TASK_TESTS.items():
        assert (name in files) == (task in tasks), name
        if task in tasks:
            assert "Image" in (project / name).read_text(), f"{name} tests the image pieces"
    requirements = (project / "requirements.txt").read_text()
    assert "torchvision" in requirements and "pillow" in requirements


def test_every_task_reads_an_image_folder(images_project):
    tasks, project = images_project
    config = yaml.safe_load((project / "config/config.yaml").read_text())
    assert config["data"]["image_size"] > 0 and config["data"]["channels"] in (1, 3)
    assert all(config["data"][task]["folder"] for task in tasks)
    assert all("file" not in config["data"][task] for task in tasks)
    training = (project / "components/training.py").read_text()
    models = (project / "models/model_lit.py").read_text()
    for task in tasks:
        name = {"classification": "Classification", "regression": "Regression", "gan": "GAN"}
        assert f"data_module.Image{name[task]}DataModule" in training
        assert f"class Image{name[task]}Model" in models


def test_ruff_check_and_format_are_clean(images_project):
    assert_lint_clean(images_project[1])


def test_no_jinja_leftovers(images_project):
    assert_reads_hand_written(images_project[1])


def test_table_projects_have_no_image_pieces(render):
    project = render()
    files = project_files(project)
    assert not files & (IMAGE_FILES | {SUPERVISED_NETWORKS, GAN_NETWORKS})
    assert "torchvision" not in (project / "requirements.txt").read_text()
    assert "Image" not in (project / "components/data_module.py").read_text()
