"""docs/add-a-task.md, followed to the letter: a fourth task (multi-label classification on a
table) added by hand trains, tests, predicts and exports, touching only the files the page names."""

import json
import re
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import TEMPLATE, assert_lint_clean, run
from tests.template_history import commit_all, git

PAGE = (TEMPLATE / "docs" / "add-a-task.md").read_text()
# A code block the page asks to write: ```python title="path (what to do)" ... ```
BLOCK = re.compile(
    r'^```(?:python|yaml) title="([^"(]+?)(?: \(([^)"]+)\))?"\n(.*?)^```', re.M | re.S
)
# Where "add under X:" puts a block in config/config.yaml: after the line that opens X.
SECTIONS = {"data:": r"^data:\n", "model:": r"^model:\n", "tune.space:": r"^  space:\n"}
SHORT = [
    "trainer.max_epochs=6",
    "trainer.accelerator=cpu",
    "callbacks.progress_bar.refresh_rate=0",
    "tracker.name=csv",
]


def named_files() -> set[str]:
    """The files the page says it changes, listed as `- `path`` lines."""
    listing = PAGE[PAGE.index("The files this page changes") :]
    return set(re.findall(r"^- `([^`]+)`$", listing, re.M)[:10])


def add_import(text: str, line: str) -> str:
    """`line` among the `from` imports of `text`, where isort puts it."""
    imports = [m for m in re.finditer(r"^from (\S+) import .*$", text, re.M)]
    module = line.split()[1]
    after = next((m for m in imports if m.group(1) > module), None)
    if after is None:
        end = imports[-1].end()
        return text[:end] + "\n" + line + text[end:]
    return text[: after.start()] + line + "\n" + text[after.start() :]


def follow(path: Path, action: str | None, code: str) -> None:
    """Do to `path` what the page says, as a person would in an editor."""
    if action is None:
        path.write_text(code)
        return
    text = path.read_text()
    if action == "add at the end":
        # two blank lines before a new top-level class, as ruff format wants
        text = text.rstrip("\n") + "\n\n\n" + code
    elif action == "add to the imports":
        if code.strip() not in text:
            text = add_import(text, code.strip())
    elif action == "add to TASKS":
        start = text.index("TASKS = {")
        closing = text.index("\n}", start)
        text = text[: closing + 1] + code + text[closing + 1 :]
    else:
        section = SECTIONS[action.removeprefix("add under ")]
        match = re.search(section, text, re.M)
        text = text[: match.end()] + code + text[match.end() :]
    path.write_text(text)


def genres_table(rows: int = 900) -> pd.DataFrame:
    """A table whose target lists labels: scikit-learn's digits, each tagged even or odd, big
    (5 and above) and round (0, 6, 8, 9)."""
    from sklearn.datasets import load_digits

    features, digits = load_digits(return_X_y=True)
    table = pd.DataFrame(features[:rows], columns=[f"x{i}" for i in range(features.shape[1])])

    def labels(digit: int) -> str:
        tags = ["even" if digit % 2 == 0 else "odd"]
        tags += ["big"] if digit >= 5 else []
        tags += ["round"] if digit in (0, 6, 8, 9) else []
        return "|".join(tags)

    table.insert(0, "id", [f"d{i}" for i in range(len(table))])
    table["genres"] = [labels(digit) for digit in digits[:rows]]
    return table


@pytest.mark.slow
def test_the_page_adds_a_multilabel_task(render, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(render(), project)
    git("init", "--quiet", "--initial-branch=main", cwd=project)
    commit_all(project, "Generate the project")

    steps = BLOCK.findall(PAGE)
    assert len(steps) >= 8, "the page lost its steps"
    for path, action, code in steps:
        follow(project / path.strip(), action or None, code)

    changed = set(git("status", "--porcelain", cwd=project).stdout.split()[1::2])
    assert changed == named_files()
    assert_lint_clean(project)

    genres_table().to_csv(project / "data" / "genres.csv", index=False)
    python = [sys.executable, "main.py"]
    run([*python, "train", "task=multilabel", *SHORT], cwd=project, timeout=600)
    metrics = json.loads((project / "outputs" / "metrics.json").read_text())
    assert metrics["task"] == "multilabel" and metrics["test/f1"] > 0.8, metrics

    run([*python, "test", "task=multilabel", *SHORT, "data.batch_size=13"], cwd=project)
    tested = json.loads((project / "outputs" / "metrics.json").read_text())
    assert tested["test/f1"] == pytest.approx(metrics["test/f1"], rel=1e-5)

    new = genres_table(20).drop(columns="genres")
    new.to_csv(tmp_path / "new.csv", index=False)
    run([*python, "predict", "task=multilabel", "--input", tmp_path / "new.csv"], cwd=project)
    predicted = pd.read_csv(project / "outputs" / "predictions.csv", keep_default_na=False)
    assert predicted["id"].tolist() == new["id"].tolist()
    assert {f"probability_{name}" for name in ("big", "even", "odd", "round")} <= set(predicted)
    expected = genres_table(20)["genres"].str.split("|").map(sorted).map("|".join)
    assert (predicted["prediction"] == expected).mean() > 0.7

    run([*python, "export", "task=multilabel"], cwd=project)
    description = json.loads((project / "outputs" / "model.json").read_text())
    assert description["outputs"][0]["shape"] == ["batch", 4]

    # The project's own tests still pass with the fourth task.
    completed = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project)
    assert " passed" in completed.stdout and "failed" not in completed.stdout
