"""Template histories for the update tests, built with plain git in temporary repositories.

The working template is committed and tagged as the first release; a test then changes it as a
later release would, and tags again. Projects are generated from the repository's `git+file://`
URL, so that `.copier-answers.yml` records a URL, as it does for a template on GitHub.
"""

import json
import os
import re
import shutil
from pathlib import Path

from tests.helpers import TEMPLATE, run, tool

# What a release of the template consists of.
TEMPLATE_PARTS = ("copier.yml", "template/", "extensions/", "CHANGELOG.md")
# Git without the machine's own settings (signing, hooks, default branch) and with an identity.
GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "Template Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "Template Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
}
# The command Renovate's copier manager runs for a new template version (without --trust, as it
# does unless its administrator allows scripts), and what to add to it for a person's update.
RENOVATE_UPDATE = [
    "update",
    "--skip-answered",
    "--defaults",
    "--answers-file",
    ".copier-answers.yml",
]


def git(*args, cwd: Path, check: bool = True):
    """Run git with the test identity and no user configuration."""
    return run(["git", *args], cwd=cwd, env=GIT_ENV, check=check)


def copier(*args, cwd: Path, check: bool = True):
    """Run the copier CLI beside this interpreter, with the same git settings."""
    return run([tool("copier"), *args], cwd=cwd, env=GIT_ENV, check=check)


def commit_all(repo: Path, message: str) -> None:
    """Stage every change (deletions included) and commit it."""
    git("add", "--all", cwd=repo)
    git("commit", "--quiet", "--allow-empty", "-m", message, cwd=repo)


class TemplateHistory:
    """A git repository holding the template, one tag per release."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._copy_working_template()
        git("init", "--quiet", "--initial-branch=main", cwd=root)

    def _copy_working_template(self) -> None:
        listed = git("ls-files", "-co", "--exclude-standard", cwd=TEMPLATE).stdout.splitlines()
        for name in listed:
            source = TEMPLATE / name
            if name.startswith(TEMPLATE_PARTS) and source.is_file():
                target = self.root / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)

    @classmethod
    def from_commit(cls, root: Path, commit: str) -> "TemplateHistory":
        """A history that starts from the template as it was at `commit` of this repository."""
        history = cls.__new__(cls)
        history.root = root
        parts = " ".join(part.rstrip("/") for part in TEMPLATE_PARTS)
        run(["bash", "-c", f"git -C {TEMPLATE} archive {commit} {parts} | tar -x"], cwd=root)
        git("init", "--quiet", "--initial-branch=main", cwd=root)
        return history

    def replace_with_working_template(self) -> None:
        """Put the working template in place of the one committed, as a release would."""
        for part in TEMPLATE_PARTS:
            path = self.root / part
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
        self._copy_working_template()

    @property
    def url(self) -> str:
        """The source that projects record in `_src_path`."""
        return f"git+file://{self.root}"

    def source(self, rendered: str) -> str:
        """The template file (with or without .jinja) that renders the project path `rendered`."""
        for name in (f"template/{rendered}.jinja", f"template/{rendered}"):
            if (self.root / name).is_file():
                return name
        raise FileNotFoundError(f"no template file renders {rendered}")

    def release(self, tag: str) -> None:
        """Commit the template as it is now and tag it."""
        commit_all(self.root, f"Release {tag}")
        git("tag", tag, cwd=self.root)

    def edit(self, name: str, old: str, new: str) -> None:
        """Replace one occurrence of `old`, which must be there, in a template file."""
        path = self.root / name
        text = path.read_text()
        assert text.count(old) == 1, f"{name}: expected {old!r} once, found {text.count(old)}"
        path.write_text(text.replace(old, new))

    def sub(self, name: str, pattern: str, replacement: str) -> None:
        """Replace the first match of `pattern`, which must match, in a template file."""
        path = self.root / name
        text, count = re.subn(pattern, replacement, path.read_text(), count=1, flags=re.M | re.S)
        assert count == 1, f"{name}: no match for {pattern!r}"
        path.write_text(text)

    def write(self, name: str, text: str) -> None:
        """Create or overwrite a template file."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def append(self, name: str, text: str) -> None:
        """Add `text` at the end of a template file."""
        path = self.root / name
        path.write_text(path.read_text() + text)

    def move(self, old: str, new: str) -> None:
        """Rename a template file, as a release that moves it would."""
        git("mv", old, new, cwd=self.root)


def generate(history: TemplateHistory, destination: Path, tag: str, **answers) -> Path:
    """A project generated from `tag` with `answers` (defaults otherwise), committed in git."""
    data = [
        f"--data={key}={json.dumps(value) if isinstance(value, list) else value}"
        for key, value in answers.items()
    ]
    copier(
        "copy",
        "--defaults",
        "--quiet",
        f"--vcs-ref={tag}",
        *data,
        history.url,
        destination,
        cwd=destination.parent,
    )
    git("init", "--quiet", "--initial-branch=main", cwd=destination)
    commit_all(destination, "Generate the project")
    return destination


def renovate_update(project: Path, tag: str, *extra: str, check: bool = True):
    """Update `project` to `tag` with exactly the command Renovate runs (plus `extra`)."""
    return copier(*RENOVATE_UPDATE, "--vcs-ref", tag, *extra, cwd=project, check=check)


def check_update(project: Path) -> dict:
    """`copier check-update` as JSON: update_available, current_version, latest_version."""
    output = copier("check-update", "--output-format", "json", cwd=project).stdout
    return json.loads(output.strip().splitlines()[-1])
