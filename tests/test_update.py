"""`copier update` keeps every change of the user's and brings the template's; the bots' files.

Each update runs the command Renovate's copier manager runs, without --trust, from a template
recorded as a `git+file://` URL: a project generated from v1.0.0 and edited as a user would, then
releases v1.0.1 and v1.1.0 that change other parts of the same files.
"""

import importlib.resources
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import project_files, run, tool
from tests.template_history import (
    GIT_ENV,
    TemplateHistory,
    check_update,
    commit_all,
    generate,
    git,
    renovate_update,
)

TEST = "template/tests/{% if 'classification' in tasks %}test_classification.py{% endif %}.jinja"
# What releases v1.0.1 (a comment above `seed`) and v1.1.0 (the rest) change in the template, as
# (pattern, replacement), and what the project then holds; anchored on names, not on values that
# the template may tune.
RELEASE_SEED = (r"^seed: ", "# Release 1.0.1 added this comment.\nseed: ")
RELEASE_SEED_TEXT = "# Release 1.0.1 added this comment.\nseed: "
RELEASE_MODEL = (r'\A(""".*?)(""")', "\\1Release 1.1 added this line.\n\\2")
RELEASE_MODEL_TEXT = "Release 1.1 added this line.\n"
RELEASE_PATIENCE = (r"^( +)patience: \S+$", "\\1patience: 10  # longer: validation is noisy")
RELEASE_PATIENCE_TEXT = "patience: 10  # longer: validation is noisy\n"
RELEASE_TEST = (r'\A(""".*?"""\n)', "\\1\n# Release 1.1 added this comment.\n")
RELEASE_TEST_TEXT = "# Release 1.1 added this comment.\n"
RELEASE_ENV_LINE = "# Tracker keys go here too, for example WANDB_API_KEY=...\n"
RELEASE_AUTHORS_LINE = "\nContributors are listed in the git history.\n"
ADDED_FILE = "utils/timing.py"
ADDED_TEXT = '''"""Wall-clock durations for log messages."""

import time


def seconds_since(start: float) -> float:
    """Seconds elapsed since `start`, a time.perf_counter() reading."""
    return time.perf_counter() - start
'''
# What the user changes in the generated project, as (pattern, replacement) for the first match.
USER_MODEL = (
    r"(    def forward\(self, features: torch.Tensor\) -> torch.Tensor:\n)",
    "\\1        features = features.float()  # our rows arrive as float64\n",
)
USER_MODEL_TEXT = "        features = features.float()  # our rows arrive as float64\n"
USER_EPOCHS = (r"max_epochs: \S+", "max_epochs: 12  # enough for our data")
USER_PATIENCE = (r"patience: \S+", "patience: 5  # tuned on our data")
USER_TEST = """

def test_wider_model_still_maps_features_to_logits():
    network = {"class": "torch.nn.Linear", "in_features": 4, "out_features": 3}
    model = ClassificationModel(network=network, sizes={"num_classes": 3, "input_shape": [4]})
    assert model(torch.zeros(5, 4)).shape == (5, 3)
"""
CONFLICT_MARKERS = ("<<<<<<< before updating", "=======", ">>>>>>> after updating")


def edit(path: Path, pattern: str, replacement: str) -> None:
    """Change the first match of `pattern`, which must match, as a user would in an editor."""
    text, count = re.subn(pattern, replacement, path.read_text(), count=1, flags=re.M)
    assert count == 1, f"{path.name}: no match for {pattern!r}"
    path.write_text(text)


def answers(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def unmerged(project: Path) -> list[str]:
    """Files the update left in conflict (git's unmerged entries)."""
    return git("diff", "--name-only", "--diff-filter=U", cwd=project).stdout.split()


def with_markers(project: Path) -> set[str]:
    """Files holding a conflict marker line."""
    found = set()
    for name in project_files(project):
        lines = (project / name).read_text(errors="replace").splitlines()
        if any(line.startswith(("<<<<<<< ", ">>>>>>> ")) for line in lines):
            found.add(name)
    return found


def assert_merged(project: Path) -> None:
    """Nothing left to resolve: no unmerged file, no conflict marker, no rejected hunk."""
    assert not unmerged(project)
    assert not with_markers(project)
    assert not [name for name in project_files(project) if name.endswith(".rej")]


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> TemplateHistory:
    """The working template as v1.0.0; v1.0.1 and v1.1.0 change the files users edit and add one."""
    history = TemplateHistory(tmp_path_factory.mktemp("template"))
    history.release("v1.0.0")
    history.sub(history.source("config/config.yaml"), *RELEASE_SEED)
    history.release("v1.0.1")
    history.sub(history.source("models/model_lit.py"), *RELEASE_MODEL)
    history.sub(history.source("config/config.yaml"), *RELEASE_PATIENCE)
    history.sub(TEST, *RELEASE_TEST)
    history.write(f"template/{ADDED_FILE}", ADDED_TEXT)
    # .env may render from .env.example's template: the line reaches both, or .env.example only.
    for name in {history.source(".env"), history.source(".env.example")}:
        history.append(name, RELEASE_ENV_LINE)
    history.append(history.source("AUTHORS.rst"), RELEASE_AUTHORS_LINE)
    history.release("v1.1.0")
    return history


@pytest.mark.slow
def test_update_keeps_the_users_changes_and_brings_the_releases(history, tmp_path):
    project = generate(history, tmp_path / "project", "v1.0.0")
    edit(project / "models/model_lit.py", *USER_MODEL)
    edit(project / "config/config.yaml", *USER_EPOCHS)
    with (project / "tests/test_classification.py").open("a") as test_file:
        test_file.write(USER_TEST)
    commit_all(project, "My changes")
    assert answers(project)["_src_path"] == history.url
    assert answers(project)["_commit"] == "v1.0.0"
    assert check_update(project) == {
        "update_available": True,
        "current_version": "1.0.0",
        "latest_version": "1.1.0",
    }

    renovate_update(project, "v1.1.0")

    model = (project / "models/model_lit.py").read_text()
    assert USER_MODEL_TEXT in model and RELEASE_MODEL_TEXT in model
    config = (project / "config/config.yaml").read_text()
    assert USER_EPOCHS[1] in config and RELEASE_SEED_TEXT in config
    assert RELEASE_PATIENCE_TEXT in config
    test = (project / "tests/test_classification.py").read_text()
    assert test.endswith(USER_TEST) and RELEASE_TEST_TEXT in test
    assert (project / ADDED_FILE).read_text() == ADDED_TEXT
    assert_merged(project)
    assert answers(project)["_commit"] == "v1.1.0"
    assert check_update(project)["update_available"] is False
    # The updated project's own tests pass, the user's new one included.
    result = run(
        [sys.executable, "-m", "pytest", "tests/", "-q", "-rA", "-p", "no:cacheprovider"],
        cwd=project,
        timeout=900,
    )
    assert "PASSED tests/test_classification.py::test_wider_model" in result.stdout


def test_same_line_changed_on_both_sides_ends_in_inline_markers(history, tmp_path):
    project = generate(history, tmp_path / "project", "v1.0.0")
    config = project / "config/config.yaml"
    edit(config, *USER_PATIENCE)
    edit(config, *USER_EPOCHS)
    edit(project / "models/model_lit.py", *USER_MODEL)
    commit_all(project, "My changes")

    renovate_update(project, "v1.1.0")

    text = config.read_text()
    mine, theirs = (re.escape(line) for line in (USER_PATIENCE[1], RELEASE_PATIENCE_TEXT))
    before, middle, after = CONFLICT_MARKERS
    block = f"{before}\n *{mine}\n{middle}\n *{theirs}{after}\n"
    assert re.search(block, text), text
    assert USER_EPOCHS[1] in text and RELEASE_SEED_TEXT in text
    assert unmerged(project) == ["config/config.yaml"]
    assert with_markers(project) == {"config/config.yaml"}
    model = (project / "models/model_lit.py").read_text()
    assert USER_MODEL_TEXT in model and RELEASE_MODEL_TEXT in model
    assert (project / ADDED_FILE).is_file()
    # The pre-commit hook refuses the markers, so they cannot be committed unnoticed.
    hook = run(
        [tool("check-merge-conflict"), "--assume-in-merge", "config/config.yaml"],
        cwd=project,
        check=False,
    )
    assert hook.returncode == 1 and "Merge conflict string" in hook.stdout


def test_a_file_the_user_deleted_stays_deleted(history, tmp_path):
    project = generate(history, tmp_path / "project", "v1.0.0")
    git("rm", "--quiet", "AUTHORS.rst", cwd=project)
    commit_all(project, "We keep authors elsewhere")

    renovate_update(project, "v1.1.0")

    assert not (project / "AUTHORS.rst").exists()
    assert "AUTHORS.rst" not in git("status", "--porcelain", cwd=project).stdout
    assert (project / ADDED_FILE).is_file()
    assert_merged(project)


def test_env_data_and_outputs_are_never_touched(history, tmp_path):
    project = generate(history, tmp_path / "project", "v1.0.0")
    secret = b"# mine\nWANDB_API_KEY=0123456789abcdef\nDYNACONF_SEED=7\n"
    (project / ".env").write_bytes(secret)
    own = {
        "data/.gitkeep": b"keep me\n",
        "data/digits.csv": b"x,y\n1,2\n",
        "data/raw/scan.bin": os.urandom(256),
        "outputs/metrics.json": b'{"test/acc": 0.97}\n',
        "outputs/checkpoints/best.ckpt": os.urandom(512),
    }
    for name, content in own.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_bytes(content)
    commit_all(project, "Our data placeholder")  # git ignores the rest, as the project intends

    renovate_update(project, "v1.1.0")

    assert (project / ".env").read_bytes() == secret
    for name, content in own.items():
        assert (project / name).read_bytes() == content, name
    assert (project / ".env.example").read_text().endswith(RELEASE_ENV_LINE)
    assert_merged(project)


def test_changing_an_answer_adds_and_removes_exactly_its_files(history, tmp_path):
    def fresh(name: str, **answers) -> set[str]:
        return project_files(generate(history, tmp_path / name, "v1.0.0", **answers))

    classification = fresh("classification", tasks=["classification"])
    with_gan = fresh("with_gan", tasks=["classification", "gan"], update_bot="github-action")
    gan_only = fresh("gan_only", tasks=["gan"], update_bot="github-action")
    project = generate(history, tmp_path / "project", "v1.0.0", tasks=["classification"])
    edit(project / "config/config.yaml", r"^seed: \d+$", "seed: 7")
    (project / "models/modules/my_block.py").write_text('"""My block."""\n')
    commit_all(project, "My changes")

    renovate_update(
        project,
        "v1.0.0",
        '--data=tasks=["classification", "gan"]',
        "--data=update_bot=github-action",
    )
    files = project_files(project)
    assert files - classification == with_gan - classification | {"models/modules/my_block.py"}
    assert classification - files == classification - with_gan
    assert "models/base_model/gan.py" in files and "tests/test_gan.py" in files
    assert "renovate.json" not in files and ".github/workflows/template-update.yml" in files
    assert "class GANModel" in (project / "models/model_lit.py").read_text()
    assert "class GANDataModule" in (project / "components/data_module.py").read_text()
    assert "seed: 7\n" in (project / "config/config.yaml").read_text()
    assert answers(project)["tasks"] == ["classification", "gan"]
    assert_merged(project)
    commit_all(project, "Add the GAN")

    renovate_update(project, "v1.0.0", '--data=tasks=["gan"]')
    files = project_files(project)
    assert files == gan_only | {"models/modules/my_block.py"}
    assert "class ClassificationModel" not in (project / "models/model_lit.py").read_text()
    assert "seed: 7\n" in (project / "config/config.yaml").read_text()
    assert_merged(project)


@pytest.fixture(scope="module")
def renaming_history(tmp_path_factory) -> TemplateHistory:
    """v1.1.0 renames models/model_lit.py to models/lit_models.py and ships the migration."""
    history = TemplateHistory(tmp_path_factory.mktemp("renaming"))
    history.release("v1.0.0")
    old = history.source("models/model_lit.py")
    history.move(old, old.replace("model_lit", "lit_models"))
    for path in (history.root / "template").rglob("*"):
        text = path.read_text(errors="surrogateescape") if path.is_file() else ""
        if "model_lit" in text:
            path.write_text(text.replace("model_lit", "lit_models"), errors="surrogateescape")
    # The user's content of the old file, from the last commit, replaces the renamed file.
    history.append(
        "copier.yml",
        """
_migrations:
  - version: v1.1.0
    command: >-
      if git cat-file -e HEAD:models/model_lit.py 2>/dev/null; then
      git show HEAD:models/model_lit.py > models/lit_models.py; fi
""",
    )
    history.release("v1.1.0")
    return history


def test_a_migration_carries_a_renamed_files_content_over(renaming_history, tmp_path):
    project = generate(renaming_history, tmp_path / "project", "v1.0.0")
    edit(project / "models/model_lit.py", *USER_MODEL)
    commit_all(project, "My changes")
    assert check_update(project)["latest_version"] == "1.1.0"

    # Without --trust the update refuses to run the migration and changes nothing.
    refused = renovate_update(project, "v1.1.0", check=False)
    assert refused.returncode != 0 and "--trust" in refused.stdout + refused.stderr
    assert git("status", "--porcelain", cwd=project).stdout == ""
    assert answers(project)["_commit"] == "v1.0.0"

    # With --trust (Renovate adds it where its administrator allows scripts) it carries over.
    renovate_update(project, "v1.1.0", "--trust")
    assert not (project / "models/model_lit.py").exists()
    assert USER_MODEL_TEXT in (project / "models/lit_models.py").read_text()
    code = [(project / name).read_text() for name in project_files(project) if name.endswith(".py")]
    assert not any("model_lit" in text for text in code)
    assert_merged(project)
    assert check_update(project)["update_available"] is False


def workflow_step(project: Path, name: str) -> str:
    """The shell script of the template-update workflow's step called `name`."""
    workflow = yaml.safe_load((project / ".github/workflows/template-update.yml").read_text())
    steps = {step.get("name"): step for step in workflow["jobs"]["update"]["steps"]}
    return steps[name]["run"]


def test_the_scheduled_workflow_lists_releases_and_conflicts(history, tmp_path):
    project = generate(history, tmp_path / "project", "v1.0.0", update_bot="github-action")
    edit(project / "config/config.yaml", *USER_PATIENCE)
    commit_all(project, "My changes")
    runner = tmp_path / "runner"
    runner.mkdir()
    env = {
        **os.environ,
        **GIT_ENV,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "RUNNER_TEMP": str(runner),
        "GITHUB_OUTPUT": str(runner / "output"),
    }

    def step(name: str, **extra: str) -> None:
        script = workflow_step(project, name)
        completed = subprocess.run(
            ["bash", "-eo", "pipefail", "-c", script],
            cwd=project,
            env={**env, **extra},
            capture_output=True,
            text=True,
        )
        assert completed.returncode == 0, completed.stdout + completed.stderr

    step("Look for a newer template release")
    outputs = dict(line.split("=", 1) for line in (runner / "output").read_text().splitlines())
    assert outputs == {"available": "true", "current": "1.0.0", "latest": "1.1.0"}
    body = runner / "body.md"
    step("Update from the template", CURRENT="1.0.0", LATEST="1.1.0", BODY=str(body))

    text = body.read_text()
    assert "**Releases crossed:** `v1.0.1`, `v1.1.0`." in text
    assert "- `config/config.yaml`" in text
    assert answers(project)["_commit"] == "v1.1.0"
    assert not unmerged(project), "staged for the pull request"
    assert with_markers(project) == {"config/config.yaml"}


# ---------------------------------------------------------------- the bots' files
BOT_FILES = {
    "renovate.json": {"renovate", "both"},
    ".github/workflows/template-update.yml": {"github-action", "both"},
}


@pytest.mark.parametrize("bot", ["renovate", "github-action", "both", "none"])
@pytest.mark.parametrize("ci", ["github", "none"])
def test_bot_and_ci_files_follow_the_answers(render, bot, ci):
    files = project_files(render(update_bot=bot, ci=ci))
    for name, bots in BOT_FILES.items():
        assert (name in files) == (bot in bots), name
    assert (".github/workflows/ci.yml" in files) == (ci == "github")
    assert ".pre-commit-config.yaml" in files
    if bot in ("renovate", "none") and ci == "none":
        assert not any(name.startswith(".github/") for name in files)


def vendored_schema(name: str) -> dict:
    """A schema check-jsonschema ships (offline), to look up the names it knows."""
    vendor = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
    return json.loads((vendor / f"{name}.json").read_text())


def test_renovate_config_is_valid_and_groups_the_template_with_requirements(render):
    project = render(update_bot="both")
    run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.renovate", "renovate.json"],
        cwd=project,
    )
    config = json.loads((project / "renovate.json").read_text())
    schema = vendored_schema("renovate")
    rule_keys = schema["definitions"]["packageRules"]["items"]["allOf"][0]["properties"]
    assert set(config) - {"$schema"} <= set(schema["properties"]), "only known options"
    assert all(set(rule) <= set(rule_keys) for rule in config["packageRules"])
    rules = config["packageRules"]
    grouped = [rule for rule in rules if "groupName" in rule]
    assert grouped and set(grouped[0]["matchManagers"]) == {"copier", "pip_requirements"}
    notes = [
        note
        for rule in rules
        if rule["matchManagers"] == ["copier"]
        for note in rule["prBodyNotes"]
    ]
    assert notes and "CHANGELOG" in notes[0] and "Upgrading" in notes[0]
    # Renovate's copier manager finds the answers file by its default pattern, with no setting.
    patterns = schema["definitions"]["copier"]["default"]["managerFilePatterns"]
    assert "copier" not in config and any(
        re.search(pattern.strip("/"), ".copier-answers.yml") for pattern in patterns
    )


def test_workflows_are_valid(render):
    project = render(update_bot="both")
    workflows = sorted((project / ".github/workflows").glob("*.yml"))
    assert [path.name for path in workflows] == ["ci.yml", "template-update.yml"]
    run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *workflows],
        cwd=project,
    )
    update = yaml.safe_load(workflows[1].read_text())
    assert {"schedule", "workflow_dispatch"} <= set(update[True])  # YAML reads `on` as True
    script = "\n".join(step.get("run", "") for step in update["jobs"]["update"]["steps"])
    assert "copier check-update" in script
    assert "copier update --skip-answered --defaults" in script
    ci = yaml.safe_load(workflows[0].read_text())
    commands = [step["run"] for step in ci["jobs"]["test"]["steps"] if "run" in step]
    assert "download.pytorch.org/whl/cpu" in commands[0]
    assert commands[1] == "pip install -r requirements.txt"
    assert "ruff check" in commands[2] and "ruff format --check" in commands[2]
    assert commands[3] == "pytest tests/"


def test_pre_commit_config_is_valid_and_finds_no_false_conflicts(render, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(
        render(update_bot="both", tasks=["classification", "regression", "gan"]), project
    )
    run([tool("pre-commit"), "validate-config", ".pre-commit-config.yaml"], cwd=project)
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff-check", "ruff-format"} <= set(hooks)
    assert hooks["check-merge-conflict"]["args"] == ["--assume-in-merge"]
    # No generated file looks like a conflict (an RST title of seven '=' would).
    git("init", "--quiet", cwd=project)
    run(
        [tool("check-merge-conflict"), "--assume-in-merge", *sorted(project_files(project))],
        cwd=project,
    )


@pytest.mark.parametrize("bot", ["renovate", "github-action", "none"])
def test_readme_says_how_to_update(render, bot):
    readme = (render(update_bot=bot, ci="github") / "README.md").read_text()
    section = readme[readme.index("## Updating from the template") :]
    for topic in ("### By hand", "### Resolving a conflict", "### Changing an answer", "--trust"):
        assert topic in section, topic
    assert "copier update --skip-answered --defaults" in section
    assert ("renovate.json" in section) == (bot == "renovate")
    assert ("template-update.yml" in section) == (bot == "github-action")


def test_switching_a_table_project_to_images_keeps_the_users_changes(history, tmp_path):
    project = generate(history, tmp_path / "project", "v1.0.0")
    edit(project / "models/model_lit.py", *USER_MODEL)
    # The image defaults change max_epochs and lr; the user's own values elsewhere stay.
    edit(project / "config/config.yaml", r"^seed: \d+$", "seed: 7")
    edit(project / "config/config.yaml", *USER_PATIENCE)
    with (project / "tests/test_classification.py").open("a") as test_file:
        test_file.write(USER_TEST)
    (project / "models/modules/my_block.py").write_text('"""My block."""\n')
    commit_all(project, "My changes")
    before = project_files(project)

    renovate_update(project, "v1.0.0", "--data=data_kind=images")

    # The data kind changes what files hold, not which files there are: nothing is deleted.
    assert project_files(project) == before
    model = (project / "models/model_lit.py").read_text()
    assert USER_MODEL_TEXT in model and "class ClassificationModel" in model
    assert "ImageFolderDataModule" in (project / "components/data_module.py").read_text()
    assert "def list_images" in (project / "utils/readers.py").read_text()
    config = (project / "config/config.yaml").read_text()
    assert "seed: 7\n" in config and USER_PATIENCE[1] in config
    assert yaml.safe_load(config)["data"]["classification"]["folder"] == "digits"
    assert "torchvision" in (project / "requirements.txt").read_text()
    assert answers(project)["data_kind"] == "images"
    # The test file now tests the image data module, and still ends with the user's test.
    test = (project / "tests/test_classification.py").read_text()
    assert "messy_folder" in test and test.endswith(USER_TEST)
    assert_merged(project)
    result = run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/test_classification.py",
            "-q",
            "-rA",
            "-p",
            "no:cacheprovider",
        ],
        cwd=project,
        timeout=600,
    )
    assert "PASSED tests/test_classification.py::test_wider_model" in result.stdout
    assert "passed" in result.stdout and "failed" not in result.stdout


# Edits to files whose content depends on the data kind, as a person might make them.
FRAMEWORK_EDITS = {
    "utils/readers.py": "\n\ndef my_reader():\n    return 42\n",
    "components/data_base.py": "\n\nMY_CONSTANT = 7\n",
}


def test_switching_the_data_kind_shows_edits_to_its_files_as_conflicts(history, tmp_path):
    project = generate(history, tmp_path / "project", "v1.0.0")
    for name, addition in FRAMEWORK_EDITS.items():
        with (project / name).open("a") as file:
            file.write(addition)
    commit_all(project, "My changes to the framework")

    renovate_update(project, "v1.0.0", "--data=data_kind=images")

    # Copier deletes a file that the new answers no longer render, edited or not; these keep
    # their names for both kinds, so an edit ends in a conflict the person sees, never lost.
    for name, addition in FRAMEWORK_EDITS.items():
        text = (project / name).read_text()
        assert addition.strip() in text, name
    assert set(unmerged(project)) <= set(FRAMEWORK_EDITS)
    assert set(FRAMEWORK_EDITS) >= with_markers(project)


# The release before networks became settings and the plumbing moved into the bases; projects
# made from it are updated by the test below.
PREVIOUS_RELEASE = "6d4c104"
USER_CONFIG = {
    r"^  max_epochs: \d+$": "  max_epochs: 12  # enough for our data",
    r"^seed: \d+$": "seed: 7",
    r"^    patience: \d+$": "    patience: 5",
    r"^  lr: \S+$": "  lr: 0.002",
}


@pytest.fixture(scope="module")
def previous_history(tmp_path_factory) -> TemplateHistory:
    """The template as the previous release shipped it, then as it is now."""
    history = TemplateHistory.from_commit(tmp_path_factory.mktemp("previous"), PREVIOUS_RELEASE)
    history.release("v1.0.0")
    history.replace_with_working_template()
    history.release("v2.0.0")
    return history


@pytest.mark.slow
def test_update_from_the_previous_release_keeps_the_users_edits(previous_history, tmp_path):
    project = generate(previous_history, tmp_path / "project", "v1.0.0")
    edit(project / "models/model_lit.py", *USER_MODEL)
    for pattern, replacement in USER_CONFIG.items():
        edit(project / "config/config.yaml", pattern, replacement)
    # A value inside the model section, which the release rewrites: both sides change it.
    edit(project / "config/config.yaml", r"^    hidden_dim: 256$", "    hidden_dim: 384")
    commit_all(project, "My changes")

    renovate_update(project, "v2.0.0")

    model = (project / "models/model_lit.py").read_text()
    assert USER_MODEL_TEXT in model and "build_network(network, sizes)" in model
    assert "def training_step" not in model and "optimizer: dict" not in model
    config = (project / "config/config.yaml").read_text()
    for replacement in USER_CONFIG.values():
        assert replacement + "\n" in config, replacement
    # The only conflict is the model section, changed on both sides; the person's value is in it.
    assert unmerged(project) == ["config/config.yaml"]
    assert with_markers(project) == {"config/config.yaml"}
    block = config[config.index("<<<<<<< before updating") : config.index(">>>>>>> after updating")]
    assert "hidden_dim: 384" in block and "class: MLP" in block
    for replacement in USER_CONFIG.values():
        assert replacement not in block, f"{replacement} was pulled into the conflict"
