"""Presets, debug modes, profiling and repeated runs, through the command line as a person runs
them."""

import csv
import json

import pytest
import torch
import yaml

from components.tasks import TASKS
from config import ROOT, apply_overrides, load_settings, validate
from main import main
from tests.conftest import TINY

SUPERVISED = [task for task, classes in TASKS.items() if not classes.model.generates]


def run(capsys, *arguments) -> tuple[int, str, str]:
    """`python main.py ARGUMENTS` in this process: its exit status, stdout and stderr."""
    try:
        status = main([str(argument) for argument in arguments])
    except SystemExit as exit:  # argparse's usage errors
        status = exit.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def tiny(tmp_path, data_dir, task: str) -> list[str]:
    return [*TINY, f"task={task}", f"output_dir={tmp_path / 'outputs'}", f"data.dir={data_dir}"]


def test_the_shipped_preset_is_valid_and_layered_below_environment_and_command_line(monkeypatch):
    preset = yaml.safe_load((ROOT / "config/experiments/bigger.yaml").read_text())
    epochs = preset["trainer"]["max_epochs"]
    settings = validate(load_settings("bigger"))
    assert settings.trainer.max_epochs == epochs
    # Merged, not replaced: the keys the preset leaves out keep config.yaml's values.
    assert settings.trainer.accelerator == load_settings().trainer.accelerator
    assert settings.experiment == "bigger"
    monkeypatch.setenv("DYNACONF_TRAINER__MAX_EPOCHS", str(epochs + 1))
    assert load_settings("bigger").trainer.max_epochs == epochs + 1
    overridden = apply_overrides(load_settings("bigger"), ["trainer.max_epochs=3"])
    assert overridden.trainer.max_epochs == 3


def test_a_presets_lists_and_networks_replace_config_yamls(monkeypatch, tmp_path):
    import config

    base = load_settings()
    model = config.plain(base.model[base.task])
    network = "network" if "network" in model else "generator"
    # A network named by its class is the whole network: config.yaml's arguments for the class
    # it had must not be carried over to the one the preset names.
    preset = {"model": {base.task: {network: {"class": model[network]["class"]}}}}
    if "augment" in base.data:
        preset["data"] = {"augment": []}
    (tmp_path / "swap.yaml").write_text(yaml.safe_dump(preset))
    monkeypatch.setattr(config, "EXPERIMENTS", str(tmp_path))
    settings = load_settings("swap")
    assert config.plain(settings.model[base.task][network]) == preset["model"][base.task][network]
    if "augment" in base.data:
        assert settings.data.augment == []
        # The environment replaces a list too, with or without a preset.
        monkeypatch.setenv("DYNACONF_DATA__AUGMENT", "[]")
        assert load_settings().data.augment == []


def test_a_mistyped_key_of_a_preset_names_the_closest_setting(monkeypatch, tmp_path):
    import config

    (tmp_path / "typo.yaml").write_text("trainer:\n  max_epoch: 3\n")
    monkeypatch.setattr(config, "EXPERIMENTS", str(tmp_path))
    with pytest.raises(
        config.ConfigError,
        match="trainer.max_epoch: no such setting; did you mean trainer.max_epochs",
    ):
        load_settings("typo")


def test_an_unknown_experiment_lists_the_available_ones_and_writes_nothing(capsys, tmp_path):
    status, _, stderr = run(capsys, "train", "experiment=nope", f"output_dir={tmp_path / 'out'}")
    assert status == 1
    assert "experiment=nope: no such experiment; available: bigger" in stderr
    assert not (tmp_path / "out").exists()


def test_settings_yaml_records_the_experiment(capsys, tmp_path, data_dir):
    task = next(iter(TASKS))
    status, _, _ = run(capsys, "train", "experiment=bigger", *tiny(tmp_path, data_dir, task))
    assert status == 0
    written = yaml.safe_load((tmp_path / "outputs" / "settings.yaml").read_text())
    assert written["experiment"] == "bigger"


@pytest.mark.parametrize("task", list(TASKS))
def test_debug_fast_leaves_only_a_log(capsys, tmp_path, data_dir, task):
    status, stdout, _ = run(capsys, "train", "--debug", "fast", *tiny(tmp_path, data_dir, task))
    assert status == 0
    output_dir = tmp_path / "outputs"
    assert [path.name for path in output_dir.rglob("*")] == ["debug.log"]
    assert "debug fast" in stdout and "only" in stdout


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--debug", "slow"], "argument --debug: invalid choice: 'slow'"),
        (["--seeds", "0"], "argument --seeds: 0; expected a number of runs >= 1"),
        (["--seeds", "1,1"], "argument --seeds: 1,1; expected"),
        (["--profile", "gprof"], "argument --profile: invalid choice: 'gprof'"),
        (["--profile=gprof"], "argument --profile: invalid choice: 'gprof'"),
        (["--folds", "1"], "argument --folds: 1; expected an integer >= 2"),
    ],
)
def test_bad_options_are_refused_before_anything_is_written(capsys, tmp_path, arguments, message):
    status, _, stderr = run(capsys, "train", *arguments, f"output_dir={tmp_path / 'out'}")
    assert status == 2
    assert message in stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_profile_writes_its_summary_and_prints_the_ten_most_expensive(capsys, tmp_path, data_dir):
    task = next(iter(TASKS))
    status, stdout, _ = run(capsys, "train", "--profile", *tiny(tmp_path, data_dir, task))
    assert status == 0
    profile = tmp_path / "outputs" / "profile"
    assert (profile / "fit-profile.txt").read_text().strip()
    listed = stdout.split("the 10 most expensive entries:")[1].splitlines()[1:11]
    assert len(listed) == 10 and all(line.rstrip().endswith(" s") for line in listed)


@pytest.mark.slow
def test_profile_pytorch_writes_a_chrome_trace(capsys, tmp_path, data_dir):
    task = next(iter(TASKS))
    status, stdout, _ = run(
        capsys, "train", "--profile", "pytorch", *tiny(tmp_path, data_dir, task)
    )
    assert status == 0
    assert list((tmp_path / "outputs" / "profile").glob("fit-profile*.pt.trace.json"))
    assert "the 10 most expensive entries:" in stdout


@pytest.mark.slow
def test_debug_limit_runs_end_to_end(capsys, tmp_path, data_dir):
    task = next(iter(TASKS))
    overrides = [
        item for item in tiny(tmp_path, data_dir, task) if not item.startswith("+trainer.limit_")
    ]
    status, _, _ = run(capsys, "train", "--debug", "limit", *overrides)
    assert status == 0
    written = yaml.safe_load((tmp_path / "outputs" / "settings.yaml").read_text())
    # A quarter of each split's batches, at least one, for at most 3 epochs.
    assert all(
        written["trainer"][f"limit_{split}_batches"] >= 1 for split in ("train", "val", "test")
    )
    assert written["trainer"]["max_epochs"] <= 3
    assert (tmp_path / "outputs" / "metrics.json").exists()


@pytest.mark.slow
@pytest.mark.parametrize("task", SUPERVISED)
def test_debug_overfit_memorises_the_batches(capsys, tmp_path, data_dir, task):
    overrides = [
        item for item in tiny(tmp_path, data_dir, task) if not item.startswith("trainer.max_epochs")
    ]
    status, stdout, _ = run(capsys, "train", "--debug", "overfit", *overrides)
    assert status == 0
    line = next(line for line in stdout.splitlines() if line.startswith("debug overfit"))
    values = dict(item.rsplit(" ", 1) for item in line.split(": ", 1)[1].split(", "))
    if task == "classification":
        assert float(values["train/acc"]) == 1.0, line
    else:
        assert float(values["train/r2"]) > 0.5, line


@pytest.mark.slow
def test_seeds_train_one_run_each_summarise_them_and_resume(capsys, tmp_path, data_dir):
    task = next(iter(TASKS))
    arguments = ["train", "--seeds", "3,5", *tiny(tmp_path, data_dir, task)]
    status, stdout, _ = run(capsys, *arguments)
    assert status == 0
    output_dir = tmp_path / "outputs"
    runs = {
        name: json.loads((output_dir / "runs" / name / "metrics.json").read_text())
        for name in ("seed-3", "seed-5")
    }
    summary = json.loads((output_dir / "summary.json").read_text())
    for name, entry in summary.items():
        values = [runs[run][name] for run in ("seed-3", "seed-5")]
        assert entry["runs"] == {"seed-3": values[0], "seed-5": values[1]}
        assert entry["mean"] == pytest.approx(sum(values) / 2)
        assert entry["min"] == min(values) and entry["max"] == max(values)
    assert (
        (output_dir / "summary.csv").read_text().startswith("metric,mean,std,min,max,seed-3,seed-5")
    )
    assert (output_dir / "report" / "summary.png").stat().st_size > 0
    assert "mean ± std" in stdout
    # Run again: both runs finished, so neither trains again.
    before = {path: path.stat().st_mtime_ns for path in output_dir.glob("runs/*/metrics.json")}
    status, stdout, _ = run(capsys, *arguments)
    assert status == 0
    assert stdout.count("not trained again") == 2
    assert before == {
        path: path.stat().st_mtime_ns for path in output_dir.glob("runs/*/metrics.json")
    }


@pytest.mark.parametrize("task", SUPERVISED)
def test_more_folds_than_a_class_or_the_data_has_is_one_message(capsys, tmp_path, data_dir, task):
    status, _, stderr = run(capsys, "train", "--folds", "100000", *tiny(tmp_path, data_dir, task))
    assert status == 1
    assert stderr.startswith("error: --folds 100000: ") and "use at most" in stderr, stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "outputs").exists()


@pytest.mark.slow
def test_folds_hold_the_test_split_out_and_write_folds_csv(capsys, tmp_path, data_dir):
    task = next(iter(SUPERVISED), None) or next(iter(TASKS))
    status, stdout, _ = run(capsys, "train", "--folds", "2", *tiny(tmp_path, data_dir, task))
    assert status == 0
    output_dir = tmp_path / "outputs"
    lines = (output_dir / "folds.csv").read_text().splitlines()
    folds = [line.rsplit(",", 1)[1] for line in lines[1:]]
    assert set(folds) == {"test", "0", "1"}
    # The two validation parts are about the same size; the test split is the usual share.
    assert abs(folds.count("0") - folds.count("1")) <= 1
    assert folds.count("test") == round(len(folds) * load_settings().data.test_fraction)
    for fold in (0, 1):
        written = yaml.safe_load(
            (output_dir / "runs" / f"fold-{fold}" / "settings.yaml").read_text()
        )
        assert written["cross_validation"]["fold"] == fold
    summary = json.loads((output_dir / "summary.json").read_text())
    assert all(sorted(entry["runs"]) == ["fold-0", "fold-1"] for entry in summary.values())
    assert "Summary of 2 runs" in stdout
    # The checkpoint of a fold keeps its split: `test` evaluates the same rows.
    fold = output_dir / "runs" / "fold-1"
    common = [item for item in tiny(tmp_path, data_dir, task) if not item.startswith("output_dir")]
    checkpoint = fold / "checkpoints" / ("best.ckpt" if TASKS[task].model.monitor else "last.ckpt")
    retest = tmp_path / "retest"
    status, _, _ = run(capsys, "test", "--ckpt", checkpoint, f"output_dir={retest}", *common)
    assert status == 0
    again = json.loads((retest / "metrics.json").read_text())
    trained = json.loads((fold / "metrics.json").read_text())
    metrics = [name for name, value in trained.items() if isinstance(value, float)]
    assert metrics and all(again[name] == pytest.approx(trained[name]) for name in metrics)


def test_a_file_is_read_once_per_process_until_it_changes(tmp_path):
    import os

    from utils.cache import read_once

    reads = []

    @read_once(copy=list)
    def reader(path):
        reads.append(path)
        return list(path.read_text())

    path = tmp_path / "table.csv"
    path.write_text("ab")
    first = reader(path)
    first.append("changed by a caller")
    assert reader(path) == ["a", "b"] and len(reads) == 1
    path.write_text("cd")  # the same size: the modification time tells
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert reader(path) == ["c", "d"] and len(reads) == 2


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--seeds", "2", "--jobs", "0"], "argument --jobs: 0; expected int > 0"),
        (["--seeds", "2", "--jobs", "two"], "argument --jobs: invalid int value: 'two'"),
        (["--jobs", "2"], "argument --jobs: trains the runs of --seeds or --folds"),
    ],
)
def test_bad_jobs_are_refused_before_anything_is_written(capsys, tmp_path, arguments, message):
    status, _, stderr = run(capsys, "train", *arguments, f"output_dir={tmp_path / 'out'}")
    assert status == 2
    assert message in stderr and len(stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def summary_values(output_dir) -> dict[str, dict[str, float]]:
    summary = json.loads((output_dir / "summary.json").read_text())
    return {name: entry["runs"] for name, entry in summary.items()}


@pytest.mark.slow
def test_jobs_train_in_parallel_processes_to_the_summary_of_runs_in_sequence(
    capsys, tmp_path, data_dir
):
    task = next(iter(TASKS))
    common = [item for item in tiny(tmp_path, data_dir, task) if not item.startswith("output_")]
    status, _, _ = run(capsys, "train", "--seeds", "3,5", *common, f"output_dir={tmp_path / 'a'}")
    assert status == 0
    arguments = ["train", "--seeds", "3,5", "--jobs", "2", *common, f"output_dir={tmp_path / 'b'}"]
    status, stdout, _ = run(capsys, *arguments)
    assert status == 0
    assert "Training 2 runs, 2 at a time on the CPU." in stdout
    in_sequence, in_parallel = summary_values(tmp_path / "a"), summary_values(tmp_path / "b")
    assert in_parallel.keys() == in_sequence.keys()
    for name, runs in in_sequence.items():
        assert in_parallel[name] == pytest.approx(runs, rel=1e-5), name
    # Run again: both finished, neither trains again.
    status, stdout, _ = run(capsys, *arguments)
    assert status == 0 and stdout.count("not trained again") == 2


@pytest.mark.slow
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_on_gpus_each_parallel_run_is_pinned_to_one_device(capfd, tmp_path, data_dir):
    task = next(iter(TASKS))
    overrides = [
        item.replace("trainer.accelerator=cpu", "trainer.accelerator=gpu")
        for item in tiny(tmp_path, data_dir, task)
    ]
    # Two at once, whatever the number of devices: one each, or both on the only one.
    status = main(["train", "--seeds", "2", "--jobs", "2", *overrides])
    assert status == 0
    stdout = capfd.readouterr().out
    assert "Training 2 runs, 2 at a time on CUDA devices" in stdout
    pinned = [line.rsplit(" ", 1)[1] for line in stdout.splitlines() if " pinned to CUDA " in line]
    assert len(pinned) == 2
    assert len(set(pinned)) == min(2, torch.cuda.device_count())
    for name in ("seed-42", "seed-43"):
        settings_yaml = tmp_path / "outputs" / "runs" / name / "settings.yaml"
        assert yaml.safe_load(settings_yaml.read_text())["trainer"]["devices"] == 1
    summary = summary_values(tmp_path / "outputs")
    assert all(sorted(runs) == ["seed-42", "seed-43"] for runs in summary.values())


@pytest.mark.slow
def test_with_a_tracker_the_runs_are_children_of_one_parent_run(
    capsys, tmp_path, data_dir, monkeypatch
):
    tracker = load_settings().tracker.name
    if tracker == "csv":
        pytest.skip("no tracker chosen: summary.json is the record of the series")
    # Offline and in this test's folder, whatever keys and servers the environment has.
    for name in ("WANDB_API_KEY", "NEPTUNE_API_TOKEN", "COMET_API_KEY", "MLFLOW_TRACKING_URI"):
        monkeypatch.setenv(name, "")
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("NEPTUNE_MODE", "offline")
    monkeypatch.setenv("COMET_START_ONLINE", "false")
    monkeypatch.chdir(tmp_path)
    task = next(iter(TASKS))
    overrides = [*tiny(tmp_path, data_dir, task), f"tracker.name={tracker}"]
    arguments = ["train", "--seeds", "2", *overrides]
    status, stdout, _ = run(capsys, *arguments)
    assert status == 0
    output_dir = tmp_path / "outputs"
    parent = json.loads((output_dir / "parent_run.json").read_text())["parent"]
    for name in ("seed-42", "seed-43"):
        written = yaml.safe_load((output_dir / "runs" / name / "settings.yaml").read_text())
        assert written["repeat"] == {"name": name, "parent": parent}
    assert "the summary of the 2 runs is in" in stdout and str(parent) in stdout


@pytest.mark.slow
def test_tune_debug_fast_runs_each_trial_on_one_batch_and_keeps_only_a_log(
    capsys, tmp_path, data_dir
):
    task = next(iter(SUPERVISED), None)
    if task is None:
        pytest.skip("a GAN has no main metric to tune on by default")
    arguments = ["tune", "--trials", "2", "--debug", "fast", *tiny(tmp_path, data_dir, task)]
    status, stdout, _ = run(capsys, *arguments)
    assert status == 0
    output_dir = tmp_path / "outputs"
    assert [path.name for path in output_dir.rglob("*")] == ["debug.log"]
    log = (output_dir / "debug.log").read_text().splitlines()
    assert log[0].startswith("debug fast: 2 trials of one batch each")
    assert len(log) == 3 and all(" complete " in line for line in log[1:])
    assert "no study stored" in stdout


@pytest.mark.slow
def test_tune_debug_limit_and_profile_keep_their_own_study_and_profile_each_trial(
    capsys, tmp_path, data_dir
):
    import optuna

    task = next(iter(SUPERVISED), None)
    if task is None:
        pytest.skip("a GAN has no main metric to tune on by default")
    overrides = [
        item for item in tiny(tmp_path, data_dir, task) if not item.startswith("+trainer.limit_")
    ]
    arguments = ["tune", "--trials", "1", "--debug", "limit", "--profile", *overrides]
    status, stdout, _ = run(capsys, *arguments)
    assert status == 0
    output_dir = tmp_path / "outputs"
    assert (output_dir / "tune" / "trial_0" / "profile" / "fit-profile.txt").read_text().strip()
    assert "the 10 most expensive entries:" in stdout
    storage = f"sqlite:///{output_dir / 'optuna.db'}"
    names = [study.study_name for study in optuna.get_all_study_summaries(storage)]
    assert len(names) == 1 and names[0].endswith(f"-{task}-debug-limit")
    # At most 3 epochs (the tiny settings' 2 here), the epochs of the trial's CSV log.
    with (output_dir / "tune" / "trial_0" / "logs" / "metrics.csv").open() as file:
        epochs = {row["epoch"] for row in csv.DictReader(file) if row["epoch"]}
    assert epochs and len(epochs) <= 3
