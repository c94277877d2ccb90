"""Bad settings and bad data stop `python main.py` with one message, no traceback and no results."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import TASKS, load_settings

ROOT = Path(__file__).resolve().parents[1]
ALL_TASKS = ("classification", "regression", "gan")
TASK = load_settings().task


def run_main(tmp_path: Path, **overrides: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DYNACONF_OUTPUT_DIR": str(tmp_path / "outputs"), **overrides}
    return subprocess.run(
        [sys.executable, "main.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def assert_clean_failure(run: subprocess.CompletedProcess, tmp_path: Path, expected: str) -> None:
    assert run.returncode != 0
    assert expected in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    outputs = tmp_path / "outputs"
    assert not outputs.exists() or not any(outputs.rglob("*")), "a failed run left files behind"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"DYNACONF_DATA__BATCH_SIZE": "big"}, "data.batch_size is 'big'; expected an integer"),
        ({"DYNACONF_DATA__VAL_FRACTION": "0.9"}, "data.val_fraction is 0.9; expected a number"),
        ({"DYNACONF_TASK": "translation"}, "task is 'translation'; expected one of"),
        ({"DYNACONF_OPTIMIZER__NAME": "adagrad"}, "optimizer.name is 'adagrad'"),
        (
            {"DYNACONF_TRAINER__ACCELERATOR": "cpu", "DYNACONF_TRAINER__DEVICES": "4096"},
            "trainer.devices is 4096 but this machine has",
        ),
    ],
    ids=["wrong-type", "out-of-range", "unknown-task", "unknown-optimizer", "too-many-devices"],
)
def test_bad_setting(tmp_path, overrides, expected):
    assert_clean_failure(run_main(tmp_path, **overrides), tmp_path, expected)


@pytest.mark.parametrize("task", [task for task in ALL_TASKS if task not in TASKS])
def test_task_that_was_not_generated(tmp_path, task):
    run = run_main(tmp_path, DYNACONF_TASK=task)
    assert_clean_failure(run, tmp_path, "the tasks this project was generated with")


def test_missing_data_file(tmp_path):
    run = run_main(tmp_path, **{f"DYNACONF_DATA__{TASK.upper()}__FILE": "missing.csv"})
    assert_clean_failure(run, tmp_path, "missing.csv does not exist")


def test_malformed_data_file(tmp_path):
    (tmp_path / "bad.csv").write_text("x0,x1,target\n1,2,0\n3,oops,1\n")
    overrides = {"DYNACONF_DATA__DIR": str(tmp_path), f"DYNACONF_DATA__{TASK.upper()}__FILE": "bad.csv"}
    assert_clean_failure(run_main(tmp_path, **overrides), tmp_path, "bad.csv is malformed")


def test_non_finite_loss_stops_training_at_its_step(settings):
    from main import build
    from utils.errors import NonFiniteLossError

    datamodule, model, trainer = build(settings)
    original = model.training_step

    def poisoned_from_third_batch(batch, batch_idx):
        loss = original(batch, batch_idx)
        return loss * float("nan") if batch_idx == 2 else loss

    model.training_step = poisoned_from_third_batch
    with pytest.raises(NonFiniteLossError, match=r"at global step \d+ \(epoch 0, batch 2\)"):
        trainer.fit(model, datamodule=datamodule)
