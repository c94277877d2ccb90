"""Containers: the Docker files every answer set renders, checked without a Docker engine.

The linters come from the dev dependency group and run beside this interpreter: hadolint
(Dockerfile), docker-compose (Compose v5; `config` needs no daemon), check-jsonschema (the
compose-spec schema) and shellcheck (startup.sh). Each answer set is rendered once per module.
"""

import fnmatch
import json
import os
import re
import shutil
import stat
import subprocess

import pytest
import yaml

from tests.helpers import TEMPLATE, project_files, run, tool

COPIER = yaml.safe_load((TEMPLATE / "copier.yml").read_text())
CUDA_VERSIONS = tuple(COPIER["cuda_version"]["choices"].values())
TORCH = COPIER["docker_torch_version"]["default"]
OFFICIAL_PYTHON = COPIER["docker_official_python"]["default"]
DOCKER_FILES = {".docker/Dockerfile", ".docker/startup.sh", "docker-compose.yml", ".dockerignore"}
JINJA_LEFTOVER = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
OFFICIAL_TAG = re.compile(
    r"^pytorch/pytorch:(?P<torch>\d+\.\d+\.\d+)-cuda(?P<cuda>\d+\.\d+)-cudnn(?P<cudnn>\d+)-runtime$"
)


def _combinations():
    """use_docker x use_cuda x every cuda_version, each CUDA build with the official image's Python
    (the official image) and with another one (a slim Python image plus torch's CUDA wheels)."""
    combos = [{"use_docker": False}]
    combos += [{"use_cuda": False, "python_version": v} for v in ("3.10", OFFICIAL_PYTHON)]
    others = [v for v in ("3.10", "3.11", "3.13") if v != OFFICIAL_PYTHON]
    for i, cuda in enumerate(CUDA_VERSIONS):
        combos.append({"cuda_version": cuda, "python_version": OFFICIAL_PYTHON})
        combos.append({"cuda_version": cuda, "python_version": others[i % len(others)]})
    return combos


def _id(answers: dict) -> str:
    if answers.get("use_docker") is False:
        return "no-docker"
    kind = "cpu" if answers.get("use_cuda") is False else f"cuda{answers['cuda_version']}"
    return f"{kind}-py{answers['python_version']}"


COMBINATIONS = _combinations()
DOCKER_COMBINATIONS = [answers for answers in COMBINATIONS if answers.get("use_docker", True)]


@pytest.fixture(params=COMBINATIONS, ids=_id)
def combo(request, render):
    return request.param, render(**request.param)


@pytest.fixture(params=DOCKER_COMBINATIONS, ids=_id)
def docker_combo(request, render):
    return request.param, render(**request.param)


def wants_cuda(answers: dict) -> bool:
    return answers.get("use_docker", True) and answers.get("use_cuda", True)


def instructions(dockerfile) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    lines, current = [], ""
    for raw in dockerfile.read_text().splitlines():
        if not current and (not raw.strip() or raw.lstrip().startswith("#")):
            continue
        current += raw.rstrip()
        if current.endswith("\\"):
            current = current[:-1] + " "
            continue
        lines.append(current)
        current = ""
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip()) for line in lines]


def resolved(value: str, args: dict) -> str:
    """`value` with ${NAME} and $NAME replaced by the ARG defaults in `args`."""
    return re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), value)


def compose_config(project, **env) -> dict:
    """`docker-compose config` as JSON: the file as Compose reads it after interpolation."""
    defaults = {"GPU_COUNT": "", "SHM_SIZE": "", "APP_UID": "", "APP_GID": ""}
    completed = run(
        [tool("docker-compose"), "-f", "docker-compose.yml", "config", "--format", "json"],
        cwd=project,
        env={**defaults, **env},
    )
    return json.loads(completed.stdout)


def hadolint_findings(project, tmp_path) -> list[dict]:
    """hadolint's findings on the Dockerfile, with no config or inline pragma to hide a rule."""
    config = tmp_path / "hadolint.yaml"
    config.write_text("ignored: []\n")
    completed = run(
        [tool("hadolint"), "--config", config, "--disable-ignore-pragma", "--format", "json"]
        + ["--no-fail", ".docker/Dockerfile"],
        cwd=project,
    )
    return json.loads(completed.stdout)


def base_image(project) -> str:
    images = [args for name, args in instructions(project / ".docker/Dockerfile") if name == "FROM"]
    assert len(images) == 1, images
    return images[0]


def dockerignore_patterns(project) -> list[str]:
    lines = (project / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def docker_ignored(path: str, patterns: list[str]) -> bool:
    """Whether a .dockerignore with `patterns` keeps `path` out, by Docker's rules: a pattern that
    matches a folder excludes what is inside, `**/` matches any folders, `!` takes back."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        if pattern.startswith("**/"):
            tail = pattern[3:]
            hit = any(fnmatch.fnmatchcase(part, tail) for part in parts)
        else:
            hit = any(fnmatch.fnmatchcase(prefix, pattern) for prefix in prefixes)
        if hit:
            ignored = not negate
    return ignored


# ---------------------------------------------------------------- questionnaire


def test_cuda_choices_are_the_builds_torch_ships():
    """torch 2.14: CUDA 12.6 (legacy), 13.0 (stable, the default) and 13.2 (experimental)."""
    assert TORCH == "2.14.1"
    assert set(CUDA_VERSIONS) == {"12.6", "13.0", "13.2"}
    assert COPIER["cuda_version"]["default"] == "13.0"
    assert COPIER["use_docker"]["default"] is True and COPIER["use_cuda"]["default"] is True
    assert "use_docker" in COPIER["use_cuda"]["when"]
    assert "use_cuda" in COPIER["cuda_version"]["when"]


def test_image_runs_the_torch_the_template_is_tested_with():
    makefile = (TEMPLATE / "Makefile").read_text() if (TEMPLATE / "Makefile").is_file() else ""
    pinned = re.search(r"^TORCH \?= torch==(\S+)", makefile, re.MULTILINE)
    if not pinned:
        pytest.skip("the Makefile pins no torch version")
    assert pinned.group(1) == TORCH


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("Not An Image", "is not an image reference"),
        ("python:3.12 slim", "is not an image reference"),
        ("python", "has no tag"),
        ("registry.example.com:5000/ml/python", "has no tag"),
        ("python:latest", "uses the tag latest"),
    ],
)
def test_bad_base_image_is_refused(copie, image, message):
    result = copie.copy(extra_answers={"docker_base_image": image})
    assert result.exit_code != 0
    assert message in str(result.exception)


def test_answers_are_recorded_and_computed_values_are_not(render):
    answers = yaml.safe_load((render(cuda_version="12.6") / ".copier-answers.yml").read_text())
    assert answers["use_docker"] is True and answers["use_cuda"] is True
    assert answers["cuda_version"] == "12.6"
    computed = {"docker_image", "docker_torch_index", "docker_image_name", "docker_torch_version"}
    assert not computed & answers.keys()


def test_own_base_image_is_used_as_given(render, tmp_path):
    image = "registry.example.com:5000/ml/python:3.11-slim@sha256:" + "a" * 64
    project = render(docker_base_image=image)
    assert base_image(project) == image
    steps = instructions(project / ".docker/Dockerfile")
    pip = " ".join(args for name, args in steps if name == "RUN" and "pip install" in args)
    assert "--index-url https://download.pytorch.org/whl/cu130" in pip
    assert not [f for f in hadolint_findings(project, tmp_path) if f["level"] != "style"]


# ---------------------------------------------------------------- tree and text


def test_docker_files_exist_exactly_when_use_docker(combo):
    answers, project = combo
    files = project_files(project)
    if answers.get("use_docker", True):
        assert files >= DOCKER_FILES, DOCKER_FILES - files
    else:
        docker_like = {
            f
            for f in files
            if f.startswith(".docker/")
            or re.fullmatch(
                r"Dockerfile.*|\.dockerignore|(docker-)?compose.*\.ya?ml", f.split("/")[-1]
            )
        }
        assert not docker_like, docker_like
        assert not (project / ".docker").exists()


def test_docker_files_read_as_hand_written(docker_combo):
    _, project = docker_combo
    for name in DOCKER_FILES:
        text = (project / name).read_text()
        assert not JINJA_LEFTOVER.search(text), f"{name}: {JINJA_LEFTOVER.search(text)}"
        assert "\n\n\n" not in text, f"{name} has a run of blank lines"
        assert text.endswith("\n") and not text.endswith("\n\n"), f"{name}: final newline"
        for number, line in enumerate(text.splitlines(), 1):
            assert line == line.rstrip(), f"{name}:{number} trailing whitespace"
            assert len(line) <= 100, f"{name}:{number} is {len(line)} characters long"


# ---------------------------------------------------------------- Dockerfile


def test_hadolint_reports_nothing_at_warning_or_above(docker_combo, tmp_path):
    _, project = docker_combo
    findings = hadolint_findings(project, tmp_path)
    serious = [f for f in findings if f["level"] in ("error", "warning")]
    assert not serious, serious


def test_base_image_matches_the_chosen_cuda_and_python(docker_combo):
    answers, project = docker_combo
    python = answers["python_version"]
    steps = instructions(project / ".docker/Dockerfile")
    image = base_image(project)
    torch_installs = [
        args
        for name, args in steps
        if name == "RUN" and re.search(r"pip install .*--index-url", args)
    ]
    official = OFFICIAL_TAG.match(image)
    if wants_cuda(answers) and python == OFFICIAL_PYTHON:
        # The official image: the tag names torch and CUDA; its Python is the project's.
        assert official, image
        assert official["torch"] == TORCH
        assert official["cuda"] == answers["cuda_version"]
        assert official["cudnn"] == "9"
        assert not torch_installs, "the official image already has torch"
    else:
        # The project's Python from a slim image; torch from PyTorch's index for the chosen build.
        assert image == f"python:{python}-slim-trixie"
        build = "cu" + answers["cuda_version"].replace(".", "") if wants_cuda(answers) else "cpu"
        assert len(torch_installs) == 1, torch_installs
        assert f'"torch=={TORCH}"' in torch_installs[0]
        assert torch_installs[0].endswith(f"--index-url https://download.pytorch.org/whl/{build}")
    nvidia = [
        args for name, args in steps if name == "ENV" and "NVIDIA_DRIVER_CAPABILITIES" in args
    ]
    assert bool(nvidia) == wants_cuda(answers)


def test_dependencies_are_cached_before_the_code_is_copied(docker_combo):
    _, project = docker_combo
    steps = instructions(project / ".docker/Dockerfile")
    index = {
        "requirements": steps.index(("COPY", "requirements.txt .")),
        "install": next(
            i for i, (n, a) in enumerate(steps) if n == "RUN" and "-r requirements.txt" in a
        ),
        "code": steps.index(("COPY", ". .")),
    }
    assert index["requirements"] < index["install"] < index["code"], index
    for name, args in steps:
        if name == "RUN" and "pip install" in args:
            assert "--no-cache-dir" in args, args
            # requirements.txt leaves torch open; naming the exact version again keeps the build.
            assert f'"torch=={TORCH}"' in args, args


def test_runs_as_a_non_root_user_with_a_numeric_uid(docker_combo):
    _, project = docker_combo
    steps = instructions(project / ".docker/Dockerfile")
    args = dict(a.split("=", 1) for n, a in steps if n == "ARG" and "=" in a)
    users = [resolved(a, args) for n, a in steps if n == "USER"]
    assert users, "no USER: the container would run as root"
    uid, _, gid = users[-1].partition(":")
    assert uid.isdigit() and int(uid) != 0, users[-1]
    assert gid.isdigit() and int(gid) != 0, users[-1]
    assert steps.index(next(s for s in steps if s[0] == "USER")) > steps.index(("COPY", ". ."))
    cmd = [a for n, a in steps if n == "CMD"]
    assert len(cmd) == 1 and json.loads(cmd[0]) == ["bash", ".docker/startup.sh"]
    assert not [n for n, _ in steps if n == "ENTRYPOINT"]


def test_no_secret_is_baked_into_the_image(docker_combo):
    _, project = docker_combo
    steps = instructions(project / ".docker/Dockerfile")
    secret = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|API", re.IGNORECASE)
    for name, args in steps:
        if name in ("ENV", "ARG"):
            names = re.findall(r"(\w+)=", args) or [args.split("=")[0]]
            assert not [n for n in names if secret.search(n)], (name, args)
        if name in ("COPY", "ADD"):
            assert ".env" not in args.split(), args
    assert docker_ignored(".env", dockerignore_patterns(project))


# ---------------------------------------------------------------- .dockerignore


@pytest.mark.parametrize(
    "path",
    [
        ".git/HEAD",
        ".env",
        ".env.local",
        "secrets/api.txt",
        "certs/server.key",
        "data/digits.csv",
        "outputs/checkpoints/last.ckpt",
        "mlruns/0/meta.yaml",
        "wandb/run-1/files/config.yaml",
        ".neptune/run/data",
        ".cometml-runs/run.zip",
        "lightning_logs/version_0/hparams.yaml",
        "models/__pycache__/model_lit.cpython-311.pyc",
        ".pytest_cache/v/cache/nodeids",
        ".ruff_cache/content",
        ".venv/bin/python",
    ],
)
def test_dockerignore_keeps_out(render, path):
    assert docker_ignored(path, dockerignore_patterns(render())), path


def test_dockerignore_lets_the_code_in(docker_combo):
    _, project = docker_combo
    patterns = dockerignore_patterns(project)
    kept_out = {f for f in project_files(project) if docker_ignored(f, patterns)}
    # Code, tests, requirements.txt and startup.sh go in; secrets, data and compose stay out.
    assert kept_out <= {
        ".env",
        ".env.example",
        "data/.gitkeep",
        "docker-compose.yml",
        ".dockerignore",
    }, kept_out
    for needed in ("requirements.txt", "main.py", ".docker/startup.sh", "tests/conftest.py"):
        assert not docker_ignored(needed, patterns), needed


# ---------------------------------------------------------------- startup.sh


def test_startup_passes_shellcheck_and_stops_at_the_first_failure(docker_combo):
    _, project = docker_combo
    script = project / ".docker/startup.sh"
    run([tool("shellcheck"), "--severity", "style", script], cwd=project)
    lines = [line for line in script.read_text().splitlines() if line and not line.startswith("#")]
    assert script.read_text().startswith("#!/usr/bin/env bash\n")
    assert lines[0] == "set -euo pipefail"
    assert lines[-1] == 'exec python3 main.py "$@"'
    assert script.stat().st_mode & stat.S_IXUSR


def run_startup(project, tmp_path, arguments: list[str], tests_status: int = 0):
    """startup.sh with a stand-in python3 that logs its calls (and exits `tests_status` for
    pytest): the finished process and the calls."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    log = tmp_path / "calls.log"
    log.touch()
    (fake_bin / "python3").write_text(
        '#!/usr/bin/env bash\necho "$*" >> "$CALLS"\n'
        f'if [ "$2" = pytest ]; then exit {tests_status}; fi\n'
    )
    (fake_bin / "python3").chmod(0o755)
    completed = subprocess.run(
        ["bash", str(project / ".docker/startup.sh"), *arguments],
        cwd=tmp_path,  # the script finds the project from its own path
        env={
            **os.environ,
            "PATH": f"{fake_bin}{os.pathsep}{os.environ['PATH']}",
            "CALLS": str(log),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    return completed, log.read_text().splitlines()


@pytest.mark.parametrize("tests_pass", [True, False], ids=["tests-pass", "tests-fail"])
def test_startup_runs_the_tests_then_training(render, tmp_path, tests_pass):
    """Training only after passing tests."""
    project = tmp_path / "project"
    shutil.copytree(render(), project)
    completed, calls = run_startup(project, tmp_path, ["--max-epochs", "1"], 0 if tests_pass else 3)
    if tests_pass:
        assert completed.returncode == 0, completed.stderr
        assert calls == ["-m pytest tests/", "main.py --max-epochs 1"]
    else:
        assert completed.returncode == 3
        assert calls == ["-m pytest tests/"], "training ran although the tests failed"


def test_startup_serves_without_running_the_tests(render, tmp_path):
    """`startup.sh serve ...` (the serve service's command) starts the server at once."""
    completed, calls = run_startup(render(), tmp_path, ["serve", "--port", "8000"], 3)
    assert completed.returncode == 0, completed.stderr
    assert calls == ["main.py serve --port 8000"]


# ---------------------------------------------------------------- docker-compose.yml


def test_compose_config_is_valid(docker_combo):
    _, project = docker_combo
    run([tool("docker-compose"), "-f", "docker-compose.yml", "config", "-q"], cwd=project)


def test_compose_files_match_the_compose_spec_schema(render):
    files = [render(**answers) / "docker-compose.yml" for answers in DOCKER_COMBINATIONS]
    run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", *files],
        cwd=files[0].parent,
    )


def test_gpus_are_reserved_exactly_when_use_cuda(docker_combo):
    answers, project = docker_combo
    raw = yaml.safe_load((project / "docker-compose.yml").read_text())["services"]["train"]
    devices = raw.get("deploy", {}).get("resources", {}).get("reservations", {}).get("devices")
    if not wants_cuda(answers):
        assert "deploy" not in raw
        assert "gpu" not in json.dumps(compose_config(project)).lower()
        return
    assert devices == [{"driver": "nvidia", "count": "${GPU_COUNT:-all}", "capabilities": ["gpu"]}]
    for env, count in (({}, -1), ({"GPU_COUNT": "all"}, -1), ({"GPU_COUNT": "2"}, 2)):
        service = compose_config(project, **env)["services"]["train"]
        [device] = service["deploy"]["resources"]["reservations"]["devices"]
        assert device["count"] == count, env  # Compose writes "all" as -1
        assert device["capabilities"] == ["gpu"]


def test_compose_trains_with_env_mounts_and_shared_memory(docker_combo):
    _, project = docker_combo
    config = yaml.safe_load((project / "config/config.yaml").read_text())
    service = compose_config(project)["services"]["train"]
    assert service["build"]["dockerfile"] == ".docker/Dockerfile"
    assert service["build"]["context"] == str(project)
    mounts = {(v["source"], v["target"]) for v in service["volumes"] if v["type"] == "bind"}
    assert mounts == {
        (str(project / config["data"]["dir"]), f"/app/{config['data']['dir']}"),
        (str(project / config["output_dir"]), f"/app/{config['output_dir']}"),
    }
    assert int(service["shm_size"]) >= 2**30, "DataLoader workers need more than 64 MB"
    raw = yaml.safe_load((project / "docker-compose.yml").read_text())["services"]["train"]
    assert raw["env_file"] == ".env"
    bigger = compose_config(project, SHM_SIZE="16gb")["services"]["train"]
    assert int(bigger["shm_size"]) == 16 * 2**30


def test_compose_serves_the_checkpoints_with_a_health_check(docker_combo):
    answers, project = docker_combo
    config = compose_config(project)
    assert set(config["services"]) == {"train"}, "a plain `docker compose up` only trains"
    service = compose_config(project, COMPOSE_PROFILES="serve")["services"]["serve"]
    assert service["command"][:3] == ["bash", ".docker/startup.sh", "serve"]
    assert service["command"][3:] == ["--host", "0.0.0.0", "--port", "8000"]
    assert [(p["target"], p["published"]) for p in service["ports"]] == [(8000, "8000")]
    health = " ".join(service["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/health" in health
    [mount] = service["volumes"]
    assert mount["target"] == "/app/outputs" and mount["read_only"] is True
    devices = service.get("deploy", {}).get("resources", {}).get("reservations", {}).get("devices")
    assert bool(devices) is wants_cuda(answers)


# ---------------------------------------------------------------- README

README_INCLUDES_SECTION = (
    "extensions/readme/docker.md.jinja" in (TEMPLATE / "template/README.md.jinja").read_text()
)


def readme_section(project):
    """The "Containers" section of a rendered README.md, or None."""
    readme = (project / "README.md").read_text()
    start = readme.find("## Containers")
    if start < 0:
        return None
    end = readme.find("\n## ", start + 1)
    return readme[start : end if end > 0 else None]


@pytest.fixture(scope="module")
def section_template(tmp_path_factory):
    """A copy of the template whose README.md is the Containers section alone."""
    root = tmp_path_factory.mktemp("section-template")
    shutil.copy(TEMPLATE / "copier.yml", root / "copier.yml")
    shutil.copytree(TEMPLATE / "extensions", root / "extensions")
    (root / "template").mkdir()
    (root / "template/README.md.jinja").write_text(
        "{% include 'extensions/readme/docker.md.jinja' %}"
    )
    return root


def test_readme_explains_the_containers(docker_combo, section_template, copie):
    answers, project = docker_combo
    if README_INCLUDES_SECTION:
        section = readme_section(project)
        assert section, "README.md has no Containers section"
    else:  # until template/README.md.jinja includes it: the section on its own
        result = copie.copy(extra_answers=answers, template_dir=section_template)
        assert result.exit_code == 0, result.exception
        section = (result.project_dir / "README.md").read_text()
        assert section.startswith("## Containers\n") and section.endswith(".\n")
    for command in (
        "docker compose build",
        "docker compose up",
        "docker compose run --rm train python3 -m pytest tests/",
    ):
        assert command in section, command
    assert "Compose 2.8" in section
    assert "NVIDIA Container Toolkit" in section
    assert ("GPU_COUNT=1 docker compose up" in section) == wants_cuda(answers)
    assert f"`{base_image(project)}`" in section, "the README names the base image"
    assert not JINJA_LEFTOVER.search(section), JINJA_LEFTOVER.search(section)
    assert "\n\n\n" not in section


def test_readme_has_no_containers_section_without_docker(render):
    if not README_INCLUDES_SECTION:
        pytest.skip("template/README.md.jinja does not include the Containers section yet")
    assert readme_section(render(use_docker=False)) is None
