"""The questionnaire: every question explained, bad answers refused clearly, no --trust."""

import pytest
import yaml

from tests.helpers import TEMPLATE, run, tool

QUESTIONS = {
    name: spec
    for name, spec in yaml.safe_load((TEMPLATE / "copier.yml").read_text()).items()
    if not name.startswith("_")
}


def test_template_needs_no_trust():
    settings = yaml.safe_load((TEMPLATE / "copier.yml").read_text())
    assert not {"_tasks", "_jinja_extensions", "_external_data"} & settings.keys()
    assert settings["_subdirectory"] == "template"


@pytest.mark.parametrize("name", sorted(QUESTIONS))
def test_every_asked_question_has_help_type_and_default(name):
    spec = QUESTIONS[name]
    assert spec.get("type"), f"{name} has no type"
    assert "default" in spec, f"{name} has no default"
    if spec.get("when") is not False:
        assert len(spec.get("help", "")) > 20, f"{name} needs a help line a newcomer understands"


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"project_name": "   "}, "project_name is empty"),
        ({"project_name": "x" * 65}, "use at most 64"),
        ({"project_slug": "Bad-Slug"}, "not a lower-case identifier"),
        ({"project_slug": "1project"}, "not a lower-case identifier"),
        ({"project_slug": "a" * 51}, "use at most 50"),
        ({"author_name": ""}, "author_name is empty"),
        ({"author_email": "not-an-email"}, "is not an e-mail address"),
        ({"author_email": "a@b"}, "is not an e-mail address"),
        ({"tasks": []}, "No task chosen"),
        ({"description": "two\nlines"}, "spans several lines"),
        ({"python_version": "3.9"}, "python_version"),
        ({"tasks": ["translation"]}, "tasks"),
    ],
)
def test_bad_answer_is_refused(copie, answers, message):
    result = copie.copy(extra_answers=answers)
    assert result.exit_code != 0
    assert message in str(result.exception)
    assert not list(copie.test_dir.rglob("main.py")), "a refused answer left files behind"


def test_default_slug_is_derived_from_the_name(render):
    project = render(project_name="Digit Recognizer 2!")
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["project_slug"] == "digit_recognizer_2"


def test_copy_works_without_trust(tmp_path):
    """The command line a person (or a bot) types, with no --trust and no extensions installed."""
    destination = tmp_path / "project"
    completed = run(
        [tool("copier"), "copy", "--defaults", "--vcs-ref", "HEAD", TEMPLATE, destination],
        cwd=tmp_path,
    )
    assert "--trust" not in completed.stderr
    assert (destination / "main.py").is_file()
    assert (destination / ".copier-answers.yml").is_file()
