"""Shared by the template's tests: answer combinations, subprocess runs, project inspection."""

import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1]
TASKS = ("classification", "regression", "gan")
DATA_KINDS = ("table", "images")
# Every non-empty choice of tasks: 7 combinations.
TASK_COMBINATIONS = [
    list(combo)
    for size in range(1, len(TASKS) + 1)
    for combo in itertools.combinations(TASKS, size)
]
# Every data kind with every choice of tasks: 14 combinations, the whole of the answers that
# change the code of a project (the others change its tracker, containers and automation).
ANSWER_COMBINATIONS = [
    {"data_kind": kind, "tasks": tasks} for kind in DATA_KINDS for tasks in TASK_COMBINATIONS
]


def combination_id(answers: dict) -> str:
    """`table-classification+gan`: a test id for a data kind and its tasks."""
    return f"{answers['data_kind']}-{'+'.join(answers['tasks'])}"


BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """A command installed beside this interpreter (ruff, copier, ...)."""
    return str(BIN / name)


def run(args, cwd: Path, timeout: float = 600, env: dict | None = None, check: bool = True):
    """Run a command; on failure show its output in the assertion message."""
    full_env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    completed = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check:
        assert completed.returncode == 0, (
            f"{args} exited {completed.returncode}\n"
            f"{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}"
        )
    return completed


def project_files(project: Path) -> set[str]:
    """Paths of the rendered files, relative to the project, without caches."""
    return {
        path.relative_to(project).as_posix()
        for path in project.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and ".git" not in path.parts
    }


# Jinja syntax left in a rendered file (a `${{ ... }}` GitHub expression is not Jinja's).
JINJA_LEFTOVER = re.compile(r"(?<!\$)\{\{|\{%|%\}|\{#")


def assert_lint_clean(project: Path) -> None:
    """ruff check and ruff format --check pass on a rendered project."""
    run([tool("ruff"), "check", "--no-cache", "."], cwd=project)
    run([tool("ruff"), "format", "--check", "--no-cache", "."], cwd=project)


def assert_reads_hand_written(project: Path) -> None:
    """No Jinja leftovers, no runs of blank lines, a final newline in every rendered file."""
    for name in project_files(project):
        text = (project / name).read_text()
        assert not JINJA_LEFTOVER.search(text), f"{name}: {JINJA_LEFTOVER.search(text)}"
        assert "\n\n\n\n" not in text, f"{name} has a run of blank lines"
        assert not text or text.endswith("\n"), f"{name} lacks a final newline"
