"""Fixtures for the template's tests: rendered projects, cached per answer set for the session."""

import json
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def render(copie_session):
    """render(**answers) -> the path of a project generated with those answers (defaults otherwise).

    Projects are rendered once per answer set and shared; tests that change files copy them first.
    """
    rendered: dict[str, Path] = {}

    def _render(**answers) -> Path:
        key = json.dumps(answers, sort_keys=True)
        if key not in rendered:
            result = copie_session.copy(extra_answers=answers)
            assert result.exit_code == 0, result.exception
            rendered[key] = result.project_dir
        return rendered[key]

    return _render
