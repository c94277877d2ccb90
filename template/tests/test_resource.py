"""The resources a run needs: settings that validate, demo data on disk, a working main.py."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from components.training import train
from config import CFG, TASKS, load_settings, validate
from utils.errors import DataError
from utils.tabular import read_table, write_demo_table

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_settings_validate():
    assert validate(load_settings()).task in TASKS


def test_environment_overrides_a_setting(monkeypatch):
    monkeypatch.setenv("DYNACONF_TRAINER__MAX_EPOCHS", "3")
    settings = load_settings()
    assert settings.trainer.max_epochs == 3
    assert settings.trainer.accelerator == CFG.trainer.accelerator


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("task", "translation", "task is 'translation'; expected one of"),
        ("trainer.max_epochs", 0, "trainer.max_epochs is 0; expected an integer >= 1"),
        ("data.batch_size", "big", "data.batch_size is 'big'; expected an integer >= 1"),
        ("optimizer.name", "adagrad", "optimizer.name is 'adagrad'; expected one of adam"),
        ("optimizer.lr", -1, "optimizer.lr is -1; expected a number > 0"),
        ("tracker.name", "clearml", "tracker.name is 'clearml'; expected"),
    ],
)
def test_bad_setting_is_named(key, value, expected):
    settings = load_settings()
    settings.set(key, value)
    with pytest.raises(Exception, match="invalid settings") as error:
        validate(settings)
    assert expected in str(error.value)


def test_demo_table_is_written_once_and_read_back(tmp_path):
    path = tmp_path / "digits.csv"
    assert write_demo_table(path)
    assert not write_demo_table(path)
    table = read_table(path)
    assert table.shape == (1797, 65)
    assert set(table["target"]) == set(range(10))


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("mine.csv", None, "does not exist"),
        ("mine.csv", "", "is empty"),
        ("mine.csv", "x0,target\n", "has no rows"),
        ("mine.csv", "x0,target\n1,2\n3,4,5\n", "could not be read as csv"),
        ("mine.parquet", "x0,target\n1,2\n", "could not be read as parquet"),
        ("mine.xlsx", "x0,target\n1,2\n", "use one of .csv, .tsv, .parquet"),
    ],
    ids=["missing", "empty", "header-only", "ragged", "not-parquet", "unsupported"],
)
def test_bad_table_names_the_file(tmp_path, name, content, problem):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(DataError, match=problem) as error:
        read_table(path)
    assert str(path) in str(error.value)


def test_train_writes_checkpoints_and_metrics(settings):
    metrics = train(settings)
    output_dir = Path(settings.output_dir)
    assert (output_dir / "checkpoints" / "last.ckpt").is_file()
    assert json.loads((output_dir / "metrics.json").read_text()) == metrics
    assert metrics["task"] == settings.task


def test_main_reports_a_bad_setting_without_traceback(tmp_path):
    env = {"DYNACONF_TRAINER__MAX_EPOCHS": "0", "DYNACONF_OUTPUT_DIR": str(tmp_path), "PATH": ""}
    run = subprocess.run(
        [sys.executable, "main.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 1
    assert "trainer.max_epochs is 0; expected an integer >= 1" in run.stderr
    assert "Traceback" not in run.stderr
    assert not any(tmp_path.iterdir())


def test_help_answers_without_loading_torch_or_settings():
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "main.py", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0 and "DYNACONF_" in run.stdout
    imported = {line.split("|")[-1].strip() for line in run.stderr.splitlines()}
    assert not imported & {"torch", "pytorch_lightning", "dynaconf", "config"}
