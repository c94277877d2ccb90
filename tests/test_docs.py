"""The documentation site: it builds with --strict, documents every question and every generated
file, and its page of the default project shows a real render.

Questions asked (`when` not false) are documented on docs/questionnaire.md under a heading that is
their name in backticks, with their choices and plain default in backticks in that section.
Computed values (`when: false`) are rows of the "Computed values" table on the same page.
"""

import html
import importlib.util
import re
from pathlib import Path

import pytest
import yaml

from tests.helpers import TEMPLATE, project_files, run, tool

DOCS = TEMPLATE / "docs"
SETTINGS = yaml.safe_load((TEMPLATE / "copier.yml").read_text())
QUESTIONS = {name: spec for name, spec in SETTINGS.items() if not name.startswith("_")}
ASKED = sorted(name for name, spec in QUESTIONS.items() if spec.get("when") is not False)
COMPUTED = sorted(name for name, spec in QUESTIONS.items() if spec.get("when") is False)
# Every answer that adds files, so that the render holds every file the template can generate.
ALL_FILES_ANSWERS = {
    "tasks": ["classification", "regression", "gan"],
    "cluster": "slurm",
    "logger": "neptune",
    "update_bot": "both",
}


def sections(page: str, level: str) -> dict[str, str]:
    """Heading text -> the text under it, for headings of `level` ("##", "###")."""
    parts = re.split(rf"^{level} (.+)$", page, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def as_docs_value(value) -> str:
    """A YAML value as the questionnaire writes it in backticks."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def choice_values(spec: dict) -> list[str]:
    choices = spec.get("choices") or []
    values = choices.values() if isinstance(choices, dict) else choices
    return [as_docs_value(value) for value in values]


def plain_defaults(spec: dict) -> list[str]:
    """The default's values, unless it is computed by Jinja or empty."""
    default = spec.get("default")
    values = default if isinstance(default, list) else [default]
    shown = [as_docs_value(value) for value in values if value not in (None, "")]
    return [value for value in shown if "{{" not in value and "{%" not in value]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site, built once with --strict: any warning (a broken link or anchor) fails it."""
    site_dir = tmp_path_factory.mktemp("site")
    run(
        [tool("mkdocs"), "build", "--strict", "--site-dir", site_dir],
        cwd=TEMPLATE,
        env={"NO_MKDOCS_2_WARNING": "1"},
        timeout=120,
    )
    return site_dir


def page_text(site: Path, name: str) -> str:
    """The built page's text, tags stripped."""
    return html.unescape(re.sub(r"<[^>]+>", "", (site / name / "index.html").read_text()))


def test_site_builds_strictly_with_every_page(site):
    nav = yaml.safe_load((TEMPLATE / "mkdocs.yml").read_text())["nav"]
    pages = [page for entry in nav for page in entry.values()]
    assert sorted(pages) == sorted(path.name for path in DOCS.glob("*.md")), "a page not in nav"
    for page in pages:
        built = site / ("index.html" if page == "index.md" else f"{page[:-3]}/index.html")
        assert built.is_file(), page
    assert not list(site.rglob("*.py")), "the hook was published as a page asset"


def test_no_external_fonts_or_social_cards():
    config = yaml.safe_load((TEMPLATE / "mkdocs.yml").read_text())
    assert config["theme"]["font"] is False
    assert "social" not in str(config.get("plugins", ""))


QUESTIONNAIRE = (DOCS / "questionnaire.md").read_text()
QUESTION_SECTIONS = {
    heading.strip("`"): text for heading, text in sections(QUESTIONNAIRE, "###").items()
}


@pytest.mark.parametrize("name", ASKED)
def test_every_asked_question_is_documented(name):
    assert name in QUESTION_SECTIONS, (
        f"copier.yml asks `{name}`, but docs/questionnaire.md has no heading ### `{name}`"
    )
    text = QUESTION_SECTIONS[name]
    spec = QUESTIONS[name]
    for value in choice_values(spec) + plain_defaults(spec):
        assert f"`{value}`" in text, f"the section of `{name}` does not mention `{value}`"
    assert "**Changes:**" in text, f"the section of `{name}` does not say what it changes"


@pytest.mark.parametrize("name", COMPUTED)
def test_every_computed_value_is_documented(name):
    table = sections(QUESTIONNAIRE, "##")["Computed values"]
    assert re.search(rf"^\| `{name}` \|", table, re.MULTILINE), (
        f"copier.yml computes `{name}`; add a row to the Computed values table of "
        "docs/questionnaire.md"
    )


def test_questionnaire_documents_nothing_that_does_not_exist():
    assert set(QUESTION_SECTIONS) <= set(ASKED), set(QUESTION_SECTIONS) - set(ASKED)


def test_every_generated_file_is_in_the_tour(render):
    """Each file the template can generate is named, with its path, on the tour page."""
    tour = (DOCS / "generated-project.md").read_text()
    files = project_files(render(**ALL_FILES_ANSWERS))
    missing = sorted(
        name for name in files if Path(name).name != "__init__.py" and f"`{name}`" not in tour
    )
    assert not missing, f"docs/generated-project.md does not describe {missing}"


def load_hook():
    """docs/hooks/generated_tree.py, imported by path as MkDocs does."""
    spec = importlib.util.spec_from_file_location(
        "generated_tree", DOCS / "hooks/generated_tree.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_file_an_answer_adds_is_named_in_the_questionnaire():
    missing = [name for name, _ in load_hook().conditional_files(TEMPLATE / "template")]
    missing = [name for name in missing if f"`{name}`" not in QUESTIONNAIRE]
    assert not missing, f"docs/questionnaire.md does not say which answer adds {missing}"


def tree_paths(text: str) -> set[str]:
    """The files of the `tree` drawing that starts at the line `my-project/`."""
    lines = text.splitlines()
    start = lines.index("my-project/")
    files, parents = set(), []
    for line in lines[start + 1 :]:
        branch = max(line.find("├── "), line.find("└── "))
        if branch < 0:
            break
        depth, name = branch // 4, line[branch + 4 :]
        parents[depth:] = [name]
        if not name.endswith("/"):
            files.add("".join(parents))
    return files


def test_tree_page_shows_a_fresh_render(site, render):
    text = page_text(site, "generated-tree")
    assert tree_paths(text) == project_files(render())
    answers = yaml.safe_load((render() / ".copier-answers.yml").read_text())
    assert f"project_name: {answers['project_name']}" in text
    assert (render() / "config/config.yaml").read_text().splitlines()[0] in text
    assert "models/base_model/gan.py" in text, "the table of answer-dependent files is missing"


def test_no_marker_is_left_in_any_page(site):
    for page in site.rglob("*.html"):
        assert "<!-- generated:" not in page.read_text(), page


def test_getting_started_shows_each_command_once_in_order():
    page = (DOCS / "getting-started.md").read_text()
    commands = [
        line
        for block in re.findall(r"```bash\n(.*?)```", page, re.DOTALL)
        for line in block.splitlines()
    ]
    assert len(commands) == len(set(commands)), commands
    steps = ['pip install "copier', "copier copy", "python main.py", "pytest tests/"]
    positions = [next(i for i, line in enumerate(commands) if step in line) for step in steps]
    assert positions == sorted(positions), commands


def test_readme_links_to_the_docs():
    readme = (TEMPLATE / "README.md").read_text()
    assert "docs/index.md" in readme and "make docs" in readme
