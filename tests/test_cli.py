"""The generated command line: every command answers --help at once, and a GAN's options come
only with the GAN."""

import subprocess
import sys
import time

import pytest

COMMANDS = ("train", "test", "predict", "export", "tune", "serve", "benchmark")


def run_main(project, *arguments: str) -> tuple[subprocess.CompletedProcess, float]:
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "main.py", *arguments],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return run, time.perf_counter() - start


@pytest.mark.parametrize("command", COMMANDS)
def test_help_of_each_command_lists_options_with_an_example_quickly(render, command):
    run, seconds = run_main(render(), command, "--help")
    assert run.returncode == 0, run.stderr
    assert f"usage: main.py {command}" in run.stdout and "example:\n  python main.py" in run.stdout
    assert "key=value" in run.stdout
    imported = {line.split("|")[-1].strip() for line in run.stderr.splitlines()}
    assert not imported & {"torch", "pytorch_lightning", "dynaconf", "config"}
    assert seconds < 5  # well under a second on an idle machine; the margin is for loaded CI


def test_top_level_help_lists_the_commands(render):
    run, _ = run_main(render(), "--help")
    for command in COMMANDS:
        assert f"\n  {command} " in run.stdout


@pytest.mark.parametrize(("tasks", "has_count"), [(["classification"], False), (["gan"], True)])
def test_count_option_only_with_a_gan(render, tasks, has_count):
    run, _ = run_main(render(tasks=tasks), "predict", "--help")
    assert ("--count N" in run.stdout) is has_count


def test_unknown_command_is_named(render):
    run, _ = run_main(render(), "trian")
    assert run.returncode == 2
    assert "error: unknown command 'trian'; choose one of train, test" in run.stderr
    assert "Traceback" not in run.stderr
