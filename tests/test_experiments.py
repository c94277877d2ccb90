"""Presets, debug modes and repeated runs in generated projects of both data kinds."""

import json
import shutil
import sys

import pytest

from tests.helpers import DATA_KINDS, TASKS, run

# Runs of seconds: a few batches of two epochs, no tracker.
SHORT = [
    "trainer.max_epochs=2",
    "+trainer.limit_train_batches=3",
    "+trainer.limit_val_batches=2",
    "callbacks.progress_bar.refresh_rate=0",
    "tracker.name=csv",
]


def own_copy(project, tmp_path):
    """A copy of a rendered project: a run writes its demo data into the project's data/, which
    the other tests of the shared render must not find."""
    return shutil.copytree(project, tmp_path / "project")


@pytest.mark.parametrize("data_kind", DATA_KINDS)
@pytest.mark.parametrize("task", TASKS)
def test_the_shipped_preset_is_valid_for_each_default_task(render, data_kind, task):
    project = render(data_kind=data_kind, tasks=[task])
    check = (
        "from config import load_settings, validate; "
        "print(validate(load_settings('bigger')).experiment)"
    )
    completed = run([sys.executable, "-c", check], cwd=project)
    assert completed.stdout.strip() == "bigger"


@pytest.mark.parametrize("data_kind", DATA_KINDS)
def test_a_preset_with_debug_fast_writes_only_a_log(render, data_kind, tmp_path):
    project = own_copy(render(data_kind=data_kind), tmp_path)
    output_dir = tmp_path / "outputs"
    arguments = ["train", "experiment=bigger", "--debug", "fast", f"output_dir={output_dir}"]
    completed = run([sys.executable, "main.py", *arguments, *SHORT], cwd=project)
    assert "debug fast" in completed.stdout
    assert [path.name for path in output_dir.rglob("*")] == ["debug.log"]


@pytest.mark.parametrize("data_kind", DATA_KINDS)
def test_an_unknown_experiment_is_one_message_naming_the_available_ones(
    render, data_kind, tmp_path
):
    project = own_copy(render(data_kind=data_kind), tmp_path)
    arguments = ["train", "experiment=bigest", f"output_dir={tmp_path / 'out'}"]
    completed = run([sys.executable, "main.py", *arguments], cwd=project, check=False)
    assert completed.returncode == 1
    assert (
        completed.stderr.strip()
        == "error: experiment=bigest: no such experiment; available: bigger"
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
@pytest.mark.parametrize("data_kind", DATA_KINDS)
def test_seeds_write_each_run_and_a_summary(render, data_kind, tmp_path):
    project = own_copy(render(data_kind=data_kind, tasks=["classification", "gan"]), tmp_path)
    for task, metric in (("classification", "test/acc"), ("gan", "test/g_loss")):
        output_dir = tmp_path / task
        arguments = ["train", "--seeds", "2", f"task={task}", f"output_dir={output_dir}"]
        completed = run([sys.executable, "main.py", *arguments, *SHORT], cwd=project)
        summary = json.loads((output_dir / "summary.json").read_text())
        assert sorted(summary[metric]["runs"]) == ["seed-42", "seed-43"]
        assert (output_dir / "runs" / "seed-43" / "settings.yaml").exists()
        assert (output_dir / "report" / "summary.png").exists()
        assert metric in completed.stdout.split("Summary of 2 runs")[1]


@pytest.mark.parametrize("data_kind", DATA_KINDS)
@pytest.mark.parametrize(
    "option, message",
    [
        (["--folds", "1"], "argument --folds: 1; expected an integer >= 2"),
        (["--seeds", "0"], "argument --seeds: 0; expected a number of runs >= 1"),
        (["--debug", "slow"], "argument --debug: invalid choice: 'slow'"),
        (["--seeds", "2", "--jobs", "0"], "argument --jobs: 0; expected int > 0"),
        (["--jobs", "2"], "argument --jobs: trains the runs of --seeds or --folds"),
        (["tune", "--debug", "slow"], "argument --debug: invalid choice: 'slow'"),
        (["tune", "--profile", "gprof"], "argument --profile: invalid choice: 'gprof'"),
    ],
)
def test_bad_repeat_and_debug_options_exit_2_and_write_nothing(
    render, data_kind, option, message, tmp_path
):
    project = own_copy(render(data_kind=data_kind), tmp_path)
    command = [] if option[0] == "tune" else ["train"]
    arguments = [*command, *option, f"output_dir={tmp_path / 'out'}"]
    completed = run([sys.executable, "main.py", *arguments], cwd=project, check=False)
    assert completed.returncode == 2
    assert message in completed.stderr and len(completed.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
@pytest.mark.parametrize("data_kind", DATA_KINDS)
def test_folds_write_folds_csv_and_a_summary(render, data_kind, tmp_path):
    project = own_copy(render(data_kind=data_kind), tmp_path)
    output_dir = tmp_path / "outputs"
    arguments = ["train", "--folds", "2", f"output_dir={output_dir}"]
    completed = run([sys.executable, "main.py", *arguments, *SHORT], cwd=project)
    header, *rows = (output_dir / "folds.csv").read_text().splitlines()
    assert header == ("file,fold" if data_kind == "images" else "row,fold")
    assert {row.rsplit(",", 1)[1] for row in rows} == {"test", "0", "1"}
    summary = json.loads((output_dir / "summary.json").read_text())
    assert sorted(summary["test/acc"]["runs"]) == ["fold-0", "fold-1"]
    assert "Summary of 2 runs" in completed.stdout
