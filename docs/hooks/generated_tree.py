"""MkDocs hook: pages show a real render of the template, made at build time, so they cannot drift.

A line `<!-- generated:NAME -->` alone in a page is replaced by:
- `answers`: the answers of a project rendered with the default answers (`.copier-answers.yml`);
- `tree`: that project's tree of files;
- `config`: its `config/config.yaml`;
- `conditional-files`: a table of the template's files that only some answers generate, read from
  the conditions in their names under `template/`.

The project is rendered once per build with copier's API from the working tree (uncommitted
changes included, as `--vcs-ref HEAD` does), into a temporary folder.
"""

import re
import tempfile
import warnings
from pathlib import Path

import copier
import yaml
from copier.errors import DirtyLocalWarning
from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^<!-- generated:([a-z-]+) -->$", re.MULTILINE)
# `{% if CONDITION %}NAME{% endif %}` inside a file or folder name under template/.
CONDITIONAL_NAME = re.compile(r"\{%-?\s*if\s+(.+?)\s*-?%\}(.*?)\{%-?\s*endif\s*-?%\}")

_blocks: dict[str, str] | None = None


def render_defaults(destination: Path) -> Path:
    """The project `copier copy --defaults --vcs-ref HEAD` would generate, in `destination`."""
    with warnings.catch_warnings():
        # Rendering uncommitted changes is the point here, not a mistake to warn about.
        warnings.simplefilter("ignore", DirtyLocalWarning)
        copier.run_copy(
            str(ROOT),
            str(destination),
            defaults=True,
            vcs_ref="HEAD" if (ROOT / ".git").exists() else None,
            quiet=True,
        )
    return destination


def tree_lines(project: Path, root: str = "my-project/") -> list[str]:
    """The project's files as `tree` draws them: folders first, then files, each by name."""
    lines = [root]

    def walk(folder: Path, prefix: str) -> None:
        entries = sorted(
            (entry for entry in folder.iterdir() if entry.name not in ("__pycache__", ".git")),
            key=lambda entry: (entry.is_file(), entry.name),
        )
        for index, entry in enumerate(entries):
            last = index == len(entries) - 1
            suffix = "/" if entry.is_dir() else ""
            lines.append(f"{prefix}{'└── ' if last else '├── '}{entry.name}{suffix}")
            if entry.is_dir():
                walk(entry, prefix + ("    " if last else "│   "))

    walk(project, "")
    return lines


def conditional_files(template: Path) -> list[tuple[str, list[str]]]:
    """(path in a generated project, conditions it needs) for every template file whose name,
    or a folder's name above it, holds an `{% if %}`."""
    rows = []
    for path in sorted(template.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        parts = path.relative_to(template).parts
        conditions = [cond for part in parts for cond in CONDITIONAL_NAME.findall(part)]
        if not conditions:
            continue
        name = "/".join(CONDITIONAL_NAME.sub(r"\2", part) for part in parts)
        rows.append((name.removesuffix(".jinja"), list(dict.fromkeys(c for c, _ in conditions))))
    return sorted(rows)


def fenced(language: str, text: str) -> str:
    return f"```{language}\n{text.rstrip()}\n```"


def build_blocks() -> dict[str, str]:
    with tempfile.TemporaryDirectory() as scratch:
        project = render_defaults(Path(scratch) / "my_lightning_project")
        answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
        # Where and from which commit the docs were built says nothing about the template.
        shown = {key: value for key, value in answers.items() if not key.startswith("_")}
        table = "\n".join(
            f"| `{name}` | {' and '.join(f'`{condition}`' for condition in conditions)} |"
            for name, conditions in conditional_files(ROOT / "template")
        )
        return {
            "answers": fenced("yaml", yaml.safe_dump(shown, sort_keys=False)),
            "tree": fenced("text", "\n".join(tree_lines(project))),
            "config": fenced("yaml", (project / "config" / "config.yaml").read_text()),
            "conditional-files": "| File | Generated when |\n| --- | --- |\n" + table,
        }


def on_pre_build(config) -> None:
    """Forget the last build's render, so that `mkdocs serve` shows the template as it is now."""
    global _blocks
    _blocks = None


def on_page_markdown(markdown: str, page, config, files) -> str:
    global _blocks
    if not MARKER.search(markdown):
        return markdown
    if _blocks is None:
        _blocks = build_blocks()

    def replace(match: re.Match) -> str:
        if match.group(1) not in _blocks:
            raise PluginError(
                f"{page.file.src_path}: unknown marker generated:{match.group(1)}; "
                f"known: {', '.join(sorted(_blocks))}"
            )
        return _blocks[match.group(1)]

    return MARKER.sub(replace, markdown)
