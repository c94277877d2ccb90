"""Generated projects under DDP, after an interruption, and across repeated runs."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from tests.helpers import run

QUIET = {"DYNACONF_CALLBACKS__PROGRESS_BAR__REFRESH_RATE": "0", "PYTHONUNBUFFERED": "1"}
SHORT = {**QUIET, "DYNACONF_TRAINER__MAX_EPOCHS": "3", "DYNACONF_TRAINER__ACCELERATOR": "cpu"}


@pytest.fixture
def project(render, tmp_path) -> Path:
    """A private copy of the default project, its demo data already written."""
    copy = tmp_path / "project"
    shutil.copytree(render(), copy)
    return copy


def train(project: Path, output: str, **env: str) -> subprocess.CompletedProcess:
    return run(
        [sys.executable, "main.py"],
        cwd=project,
        env={**SHORT, "DYNACONF_OUTPUT_DIR": output, **env},
        timeout=300,
    )


def final_state(project: Path, output: str) -> tuple[dict, int]:
    metrics = json.loads((project / output / "metrics.json").read_text())
    checkpoint = torch.load(project / output / "checkpoints/last.ckpt", weights_only=False)
    return metrics, checkpoint["global_step"]


@pytest.mark.slow
def test_ddp_on_two_cpu_processes_writes_results_once(project):
    completed = train(
        project,
        "ddp",
        DYNACONF_TRAINER__STRATEGY="ddp",
        DYNACONF_TRAINER__DEVICES="2",
        DYNACONF_TRAINER__MAX_EPOCHS="2",
    )
    output = project / "ddp"
    assert "distributed_backend=gloo" in completed.stdout + completed.stderr
    assert [p.name for p in output.rglob("metrics.json")] == ["metrics.json"]
    assert sorted(p.name for p in (output / "checkpoints").iterdir()) == ["best.ckpt", "last.ckpt"]
    assert json.loads((output / "metrics.json").read_text())["test/acc"] > 0.5
    assert completed.stdout.count("Test metrics:") == 1


@pytest.mark.slow
def test_same_seed_and_deterministic_give_identical_metrics(project):
    env = {"DYNACONF_TRAINER__DETERMINISTIC": "true", "DYNACONF_SEED": "7"}
    train(project, "first", **env)
    train(project, "second", **env)
    first = (project / "first/metrics.json").read_text()
    assert first == (project / "second/metrics.json").read_text()


@pytest.mark.slow
def test_resume_after_a_kill_continues_and_matches_an_uninterrupted_run(project):
    # Dropout off and small batches: the only randomness left is seeded, and epochs take a while.
    env = {
        **SHORT,
        "DYNACONF_TRAINER__MAX_EPOCHS": "6",
        "DYNACONF_TRAINER__DETERMINISTIC": "true",
        "DYNACONF_DATA__BATCH_SIZE": "16",
        "DYNACONF_MODEL__CLASSIFICATION__NETWORK__DROPOUT": "0",
        "DYNACONF_CALLBACKS__EARLY_STOPPING__ENABLED": "false",
    }
    train(project, "whole", **env)

    interrupted = subprocess.Popen(
        [sys.executable, "main.py"],
        cwd=project,
        env={**os.environ, **env, "DYNACONF_OUTPUT_DIR": "cut"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    last = project / "cut/checkpoints/last.ckpt"
    deadline = time.monotonic() + 240
    while not last.exists() and interrupted.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # let the checkpoint write finish
    interrupted.send_signal(signal.SIGKILL)
    interrupted.wait()
    assert not (project / "cut/metrics.json").exists(), "the run finished before it could be cut"
    killed_at = torch.load(last, weights_only=False)["global_step"]
    assert killed_at > 0

    resumed = train(project, "cut", **env, DYNACONF_RESUME="true")
    assert f"global step {killed_at}." in resumed.stdout

    whole_metrics, whole_steps = final_state(project, "whole")
    cut_metrics, cut_steps = final_state(project, "cut")
    assert cut_steps == whole_steps
    for name in ("test/acc", "test/loss"):
        assert cut_metrics[name] == pytest.approx(whole_metrics[name], abs=0.01), name
