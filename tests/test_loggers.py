"""Every `logger` choice, offline: a short training run is recorded where the tracker keeps its
runs, read back with the tracker's own reader, with the report's figures, and no secret is written.

Runs go through a network guard (a `sitecustomize` on PYTHONPATH) that fails every connection
beyond this machine at once and notes it, so that nothing can hang on the network and any attempt
shows. It watches Python only: wandb's service process is a separate binary, kept offline by
WANDB_MODE.
"""

import json
import os
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from shutil import copytree

import pytest
import yaml

LOGGERS = ("mlflow", "neptune", "wandb", "comet", "tensorboard", "csv")
ALL_TASKS = ["classification", "regression", "gan"]
# One task per tracker, so that every task's report reaches a tracker.
TASK = {
    "mlflow": "classification",
    "neptune": "regression",
    "wandb": "gan",
    "comet": "classification",
    "tensorboard": "regression",
    "csv": "gan",
}
METRICS = {
    "classification": {"train/loss", "val/loss", "val/acc", "test/acc"},
    "regression": {"train/loss", "val/loss", "val/r2", "test/r2"},
    "gan": {"train/d_loss", "train/g_loss", "val/d_loss", "val/g_loss", "test/g_loss"},
}
FIGURES = {
    "classification": {"learning_curves", "confusion_matrix"},
    "regression": {"learning_curves", "predicted_vs_true"},
    "gan": {"learning_curves", "gan_samples"},
}
# What only the chosen tracker brings: its requirement, its logger class and its .env variable.
REQUIREMENT = {
    "mlflow": "mlflow",
    "neptune": "neptune",
    "wandb": "wandb",
    "comet": "comet-ml",
    "tensorboard": "tensorboard",
}
LOGGER_CLASS = {
    "mlflow": "MLFlowLogger",
    "neptune": "NeptuneLogger",
    "wandb": "WandbLogger",
    "comet": "CometLogger",
    "tensorboard": "TensorBoardLogger",
}
ENV_PLACEHOLDER = {
    "mlflow": "# MLFLOW_TRACKING_URI=",
    "neptune": "NEPTUNE_API_TOKEN=\n",
    "wandb": "WANDB_API_KEY=\n",
    "comet": "COMET_API_KEY=\n",
}
SECRET = "fake-secret-token-123"
SECRET_VARIABLES = (
    "NEPTUNE_API_TOKEN",
    "WANDB_API_KEY",
    "COMET_API_KEY",
    "MLFLOW_TRACKING_PASSWORD",
)
# Each tracker's own variable that keeps its runs offline, whatever key is set.
OFFLINE = {
    "neptune": {"NEPTUNE_MODE": "offline"},
    "wandb": {"WANDB_MODE": "offline"},
    "comet": {"COMET_START_ONLINE": "false"},
}
SHORT_RUN = {
    "DYNACONF_TRAINER__MAX_EPOCHS": "2",
    # Lower case: a key that config.yaml lacks keeps the case it is given.
    "DYNACONF_TRAINER__limit_train_batches": "4",
    "DYNACONF_TRAINER__limit_val_batches": "2",
    "DYNACONF_TRAINER__limit_test_batches": "2",
    "DYNACONF_TRAINER__enable_model_summary": "false",
    "DYNACONF_CALLBACKS__PROGRESS_BAR__REFRESH_RATE": "0",
    # The trackers' usage reports, which would go out even from an offline run.
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "1",
    "COMET_ERROR_TRACKING_ENABLE": "false",
}
# Comet's SDK always probes the cloud-metadata address and looks up its server's name (to note the
# machine's IP), offline too; both fail at once under the guard and Comet carries on.
COMET_PROBES = {"169.254.169.254", "www.comet.com"}
GUARD = """
import os, socket

LOG = os.environ["NETWORK_GUARD_LOG"]
LOCAL = {"127.0.0.1", "::1", "localhost", "0.0.0.0", None}
_connect, _connect_ex, _getaddrinfo = (
    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo
)


def _blocked(host, port):
    if host in LOCAL:
        return False
    with open(LOG, "a") as log:
        log.write(f"{host} {port}\\n")
    return True


def _remote(sock, address):
    return sock.family in (socket.AF_INET, socket.AF_INET6) and _blocked(*address[:2])


def connect(self, address):
    if _remote(self, address):
        raise OSError(101, "network blocked by the test")
    return _connect(self, address)


def connect_ex(self, address):
    return 101 if _remote(self, address) else _connect_ex(self, address)


def getaddrinfo(host, port, *args, **kwargs):
    if _blocked(host, port):
        raise socket.gaierror(-2, "name resolution blocked by the test")
    return _getaddrinfo(host, port, *args, **kwargs)


socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
socket.getaddrinfo = getaddrinfo
"""


@dataclass
class Recorded:
    """What a tracker holds about one run, in its own terms."""

    metrics: set[str]
    params: set[str]
    # Steps of the train loss (or the GAN's generator loss), in order.
    steps: list[int]
    images: dict[str, bytes] = field(default_factory=dict)


@pytest.fixture(scope="session")
def guard(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("guard")
    (folder / "sitecustomize.py").write_text(GUARD)
    return folder


@pytest.fixture(scope="session")
def matplotlib_cache(tmp_path_factory) -> Path:
    """One font cache for all runs: each run has a home folder of its own, and would rebuild it."""
    return tmp_path_factory.mktemp("matplotlib")


def project_for(render, tmp_path, logger: str) -> Path:
    project = tmp_path / "project"
    copytree(render(logger=logger, tasks=ALL_TASKS), project)
    return project


def set_secrets(project: Path) -> None:
    """Fill .env as a user would: every tracker's secret variable, with a fake value."""
    env_file = project / ".env"
    lines = [
        line
        for line in env_file.read_text().splitlines()
        if line.split("=")[0] not in SECRET_VARIABLES
    ]
    env_file.write_text(
        "\n".join([*lines, *(f"{name}={SECRET}" for name in SECRET_VARIABLES)]) + "\n"
    )


def train(
    project: Path,
    task: str,
    guard: Path,
    matplotlib_cache: Path,
    arguments: tuple[str, ...] = (),
    **env: str,
):
    """Run `python main.py ARGUMENTS` for a short while; return its output and the hosts it tried
    to reach."""
    # Nothing of the person's own tracker setup leaks in: no keys, modes, servers or home folder.
    home = project.parent / "home"
    home.mkdir(exist_ok=True)
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("NEPTUNE_", "WANDB_", "COMET_", "MLFLOW_", "DYNACONF_"))
    }
    network_log = project / "network.log"
    full_env = {
        **inherited,
        **SHORT_RUN,
        "DYNACONF_TASK": task,
        "HOME": str(home),
        "MPLCONFIGDIR": str(matplotlib_cache),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": str(guard),
        "NETWORK_GUARD_LOG": str(network_log),
        **env,
    }
    completed = subprocess.run(
        [sys.executable, "main.py", *arguments],
        cwd=project,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-6000:]
    hosts = set(network_log.read_text().split()[::2]) if network_log.exists() else set()
    network_log.unlink(missing_ok=True)
    return output, hosts


# ------------------------------------------------------------------ readers, one per tracker
def read_csv(project: Path) -> Recorded:
    import csv

    logs = project / "outputs" / "logs"
    with (logs / "metrics.csv").open() as file:
        rows = list(csv.DictReader(file))
    loss = next(name for name in ("train/loss", "train/g_loss") if name in rows[0])
    return Recorded(
        metrics=set(rows[0]),
        params=set(yaml.safe_load((logs / "hparams.yaml").read_text())),
        steps=[int(row["step"]) for row in rows if row[loss]],
        # The CSV log keeps no images; the report folder is the run's record of them.
        images={
            path.stem: path.read_bytes() for path in (project / "outputs" / "report").glob("*.png")
        },
    )


def read_mlflow(project: Path) -> Recorded:
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=f"sqlite:///{project / 'mlflow.db'}")
    config = yaml.safe_load((project / "config" / "config.yaml").read_text())
    experiment = client.get_experiment_by_name(config["tracker"]["experiment"])
    (run,) = client.search_runs([experiment.experiment_id])
    assert run.data.tags["task"] in ALL_TASKS
    assert run.info.artifact_uri.startswith((project / "mlruns").as_uri())
    loss = "train/loss" if "train/loss" in run.data.metrics else "train/g_loss"
    images = {}
    for artifact in client.list_artifacts(run.info.run_id, "report"):
        local = client.download_artifacts(
            run.info.run_id, artifact.path, str(project / "downloads")
        )
        images[Path(artifact.path).stem] = Path(local).read_bytes()
    return Recorded(
        metrics=set(run.data.metrics),
        params=set(run.data.params),
        steps=[metric.step for metric in client.get_metric_history(run.info.run_id, loss)],
        images=images,
    )


def read_neptune(project: Path) -> Recorded:
    (run,) = (project / ".neptune" / "offline").iterdir()
    operations = [
        json.loads(line)["obj"]
        for log in sorted(run.glob("data-*.log"))
        for line in log.read_text().splitlines()
    ]
    series: dict[str, list[int]] = {}
    for operation in operations:
        if operation["type"] == "LogFloats":
            steps = series.setdefault("/".join(operation["path"]), [])
            steps.extend(value["step"] for value in operation["values"])
    loss = "train/loss" if "train/loss" in series else "train/g_loss"
    return Recorded(
        metrics=set(series),
        params={"/".join(op["path"]) for op in operations if op["path"][0] == "hyperparams"},
        steps=series[loss],
        # Uploads are copied into the run folder, so the run holds the image itself.
        images={
            op["path"][-1]: (run / "upload_path" / op["tmp_file_name"]).read_bytes()
            for op in operations
            if op["type"] == "UploadFile" and op["path"][0] == "report"
        },
    )


def wandb_records(path: Path):
    """The records of a .wandb file: a header, then LevelDB-log blocks of protobuf records."""
    import struct

    from wandb.proto import wandb_internal_pb2

    data = path.read_bytes()
    assert data.startswith(b":W&B")
    block, header = 32768, 7
    offset, pending = 7, b""
    while offset + header <= len(data):
        if block - offset % block < header:  # too little room left in the block: padding
            offset += block - offset % block
            continue
        _, length, kind = struct.unpack("<IHB", data[offset : offset + header])
        chunk = data[offset + header : offset + header + length]
        offset += header + length
        pending = chunk if kind in (1, 2) else pending + chunk  # full/first, or middle/last
        if kind in (1, 4):
            record = wandb_internal_pb2.Record()
            record.ParseFromString(pending)
            yield record


def read_wandb(project: Path) -> Recorded:
    (run,) = (project / "wandb").glob("offline-run-*")
    (log,) = run.glob("run-*.wandb")
    metrics, params, rows = set(), set(), []
    for record in wandb_records(log):
        kind = record.WhichOneof("record_type")
        if kind == "history":
            row = {
                item.key or "/".join(item.nested_key): item.value_json
                for item in record.history.item
            }
            metrics |= set(row)
            rows.append(row)
        elif kind == "config":
            params |= {item.key or "/".join(item.nested_key) for item in record.config.update}
    loss = "train/loss" if "train/loss" in metrics else "train/g_loss"
    images = {
        path.stem.rsplit("_", 2)[0]: path.read_bytes()
        for path in (run / "files" / "media" / "images" / "report").glob("*.png")
    }
    steps = [int(float(row["trainer/global_step"])) for row in rows if loss in row]
    return Recorded(metrics=metrics, params=params, steps=steps, images=images)


def read_comet(project: Path) -> Recorded:
    (archive,) = (project / ".cometml-runs").glob("*.zip")
    with zipfile.ZipFile(archive) as zipped:
        messages = [json.loads(line) for line in zipped.read("messages.json").splitlines()]
        metrics: dict[str, list[int]] = {}
        params, images = set(), {}
        for message in messages:
            payload = message["payload"]
            if message["type"] == "metric_msg":
                metric = payload["metric"]
                metrics.setdefault(metric["metricName"], []).append(metric["step"])
            elif message["type"] == "parameter_msg":
                # Comet writes a list-valued parameter under "params".
                params.add((payload.get("param") or payload["params"])["paramName"])
            elif payload.get("upload_type") == "visualization":
                name = payload["additional_params"]["figName"]
                images[name.removeprefix("report/")] = zipped.read(payload["file_path"])
    loss = "train/loss" if "train/loss" in metrics else "train/g_loss"
    return Recorded(metrics=set(metrics), params=params, steps=metrics[loss], images=images)


def read_tensorboard(project: Path) -> Recorded:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    (version,) = (project / "outputs" / "tensorboard").iterdir()
    events = EventAccumulator(str(version), size_guidance={"images": 0, "scalars": 0}).Reload()
    tags = events.Tags()
    loss = "train/loss" if "train/loss" in tags["scalars"] else "train/g_loss"
    return Recorded(
        metrics=set(tags["scalars"]),
        params=set(yaml.safe_load((version / "hparams.yaml").read_text())),
        steps=[event.step for event in events.Scalars(loss)],
        images={
            tag.removeprefix("report/"): events.Images(tag)[-1].encoded_image_string
            for tag in tags["images"]
        },
    )


# ------------------------------------------------------------------ readers of a series of runs
# Each returns the metrics of the parent (summary) run and, by run name, those of its children,
# after checking with the tracker's own records that they belong together.
def series_mlflow(project: Path) -> tuple[set[str], dict[str, set[str]]]:
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=f"sqlite:///{project / 'mlflow.db'}")
    config = yaml.safe_load((project / "config" / "config.yaml").read_text())
    experiment = client.get_experiment_by_name(config["tracker"]["experiment"])
    runs = client.search_runs([experiment.experiment_id])
    (parent,) = [run for run in runs if "mlflow.parentRunId" not in run.data.tags]
    children = {
        run.info.run_name: set(run.data.metrics)
        for run in runs
        if run.data.tags.get("mlflow.parentRunId") == parent.info.run_id
    }
    assert len(children) == len(runs) - 1
    assert parent.info.status == "FINISHED"
    files = {item.path for item in client.list_artifacts(parent.info.run_id, "summary")}
    assert files == {"summary/summary.json", "summary/summary.csv"}
    assert [item.path for item in client.list_artifacts(parent.info.run_id, "report")] == [
        "report/summary.png"
    ]
    return set(parent.data.metrics), children


def series_tensorboard(project: Path) -> tuple[set[str], dict[str, set[str]]]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    def scalars(folder: Path) -> set[str]:
        events = EventAccumulator(str(folder), size_guidance={"scalars": 0, "images": 0}).Reload()
        return set(events.Tags()["scalars"]) | {f"image:{tag}" for tag in events.Tags()["images"]}

    # The runs and their summary, side by side in the series' log folder.
    folder = project / "outputs" / "tensorboard"
    children = {path.name: scalars(path) for path in folder.iterdir() if path.name != "summary"}
    return scalars(folder / "summary"), children


def series_wandb(project: Path) -> tuple[set[str], dict[str, set[str]]]:
    runs = {}
    for folder in (project / "wandb").glob("offline-run-*"):
        (log,) = folder.glob("run-*.wandb")
        metrics, header = set(), None
        for record in wandb_records(log):
            kind = record.WhichOneof("record_type")
            if kind == "run":
                header = record.run
            elif kind in ("history", "summary"):
                items = record.history.item if kind == "history" else record.summary.update
                metrics |= {item.key or "/".join(item.nested_key) for item in items}
        runs[header.display_name] = (header.run_group, header.job_type, metrics)
    # One group: the runs and the summary run.
    assert len({group for group, _, _ in runs.values()}) == 1, runs
    summary = runs.pop("summary")
    assert summary[1] == "summary" and {job for _, job, _ in runs.values()} == {"repeat"}
    return summary[2], {name: metrics for name, (_, _, metrics) in runs.items()}


def series_neptune(project: Path) -> tuple[set[str], dict[str, set[str]]]:
    runs, series = {}, set()
    for run in (project / ".neptune" / "offline").iterdir():
        operations = [
            json.loads(line)["obj"]
            for log in sorted(run.glob("data-*.log"))
            for line in log.read_text().splitlines()
        ]
        tags = {
            tag
            for op in operations
            if op["type"] == "AddStrings" and op["path"] == ["sys", "tags"]
            for tag in op["values"]
        }
        series |= {tag for tag in tags if tag.startswith("repeats:")}
        (name,) = [tag.removeprefix("run:") for tag in tags if tag.startswith("run:")]
        runs[name] = {"/".join(op["path"]) for op in operations if op["type"] == "LogFloats"}
    assert len(series) == 1, series
    return runs.pop("summary"), runs


def series_comet(project: Path) -> tuple[set[str], dict[str, set[str]]]:
    runs, series = {}, set()
    for archive in (project / ".cometml-runs").glob("*.zip"):
        with zipfile.ZipFile(archive) as zipped:
            tags = json.loads(zipped.read("experiment.json"))["tags"]
            messages = [json.loads(line) for line in zipped.read("messages.json").splitlines()]
        series |= {tag for tag in tags if tag.startswith("repeats:")}
        (name,) = [tag.removeprefix("run:") for tag in tags if tag.startswith("run:")]
        runs[name] = {
            message["payload"]["metric"]["metricName"]
            for message in messages
            if message["type"] == "metric_msg"
        }
    assert len(series) == 1, series
    return runs.pop("summary"), runs


SERIES_READERS = {
    "mlflow": series_mlflow,
    "neptune": series_neptune,
    "wandb": series_wandb,
    "comet": series_comet,
    "tensorboard": series_tensorboard,
}


READERS = {
    "mlflow": read_mlflow,
    "neptune": read_neptune,
    "wandb": read_wandb,
    "comet": read_comet,
    "tensorboard": read_tensorboard,
    "csv": read_csv,
}


def is_picture(png: bytes) -> bool:
    """A PNG of a useful size whose pixels are not all one colour."""
    import io

    from matplotlib.image import imread

    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = imread(io.BytesIO(png))
    return min(image.shape[:2]) >= 100 and float(image.std()) > 0.05


def files_holding(project: Path, secret: str) -> list[str]:
    """Files under `project` (zip members included) whose bytes contain `secret`, but .env."""
    found = []
    for path in project.rglob("*"):
        if not path.is_file() or path.name == ".env":
            continue
        data = path.read_bytes()
        if secret.encode() in data:
            found.append(str(path.relative_to(project)))
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zipped:
                for member in zipped.namelist():
                    if secret.encode() in zipped.read(member):
                        found.append(f"{path.relative_to(project)}:{member}")
    return found


def notices(output: str, logger: str) -> list[str]:
    """The project's notices about its tracker, apart from the tracker's own messages."""
    starts = ("no ", "the run could not start online", "the experiment could not start online")
    return [
        line
        for line in output.splitlines()
        if line.startswith(tuple(f"{logger}: {s}" for s in starts))
    ]


# ------------------------------------------------------------------ tests
@pytest.mark.parametrize("logger", LOGGERS)
def test_only_the_chosen_tracker_is_rendered(logger, render):
    project = render(logger=logger)
    lines = (project / "requirements.txt").read_text().splitlines()
    required = {re.split("[<>=!~ ]", line)[0] for line in lines if line and line[0] != "#"}
    assert required & set(REQUIREMENT.values()) == {REQUIREMENT.get(logger)} - {None}
    main = (project / "components/tracking.py").read_text()
    assert {name for name, cls in LOGGER_CLASS.items() if cls in main} == {logger} - {"csv"}
    neptune_files = {"utils/neptune_logger.py", "tests/test_neptune_logger.py"}
    assert all((project / name).is_file() == (logger == "neptune") for name in neptune_files)
    config = yaml.safe_load((project / "config" / "config.yaml").read_text())
    assert config["tracker"]["name"] == logger
    env_example = (project / ".env.example").read_text()
    assert {name for name, line in ENV_PLACEHOLDER.items() if line in env_example} == (
        {logger} & ENV_PLACEHOLDER.keys()
    )
    assert (project / ".env").read_text() == env_example
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["logger"] == logger
    assert ("neptune_project" in answers) == (logger == "neptune")


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"logger": "clearml"}, "Invalid choice for 'logger'"),
        ({"logger": "neptune", "neptune_project": "digits"}, "is not workspace/project"),
        ({"logger": "neptune", "neptune_project": "team/digits/v2"}, "is not workspace/project"),
    ],
)
def test_bad_tracker_answer_is_refused(copie, answers, message):
    result = copie.copy(extra_answers=answers)
    assert result.exit_code != 0
    assert message in str(result.exception)


@pytest.mark.parametrize("logger", LOGGERS)
def test_run_is_recorded_offline_with_its_report_and_no_secret(
    logger, render, tmp_path, guard, matplotlib_cache, monkeypatch
):
    # The readers below run in this process; MLflow's client would report usage.
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    project = project_for(render, tmp_path, logger)
    set_secrets(project)
    task = TASK[logger]
    output, hosts = train(project, task, guard, matplotlib_cache, **OFFLINE.get(logger, {}))

    recorded = READERS[logger](project)
    assert METRICS[task] <= recorded.metrics, METRICS[task] - recorded.metrics
    assert recorded.params, "no hyper-parameters were recorded"
    steps = recorded.steps  # one value per epoch, at increasing steps
    assert len(steps) == 2 and steps == sorted(set(steps)), steps
    assert FIGURES[task] <= set(recorded.images), set(recorded.images)
    assert all(is_picture(png) for png in recorded.images.values())
    for name in FIGURES[task]:
        assert is_picture((project / "outputs" / "report" / f"{name}.png").read_bytes())

    assert files_holding(project, SECRET) == []
    assert SECRET not in output
    assert notices(output, logger) == []
    assert hosts <= (COMET_PROBES if logger == "comet" else set()), hosts


@pytest.mark.slow
@pytest.mark.parametrize("logger", ["neptune", "wandb", "comet"])
def test_without_a_key_the_run_is_offline_and_says_so_once(
    logger, render, tmp_path, guard, matplotlib_cache
):
    project = project_for(render, tmp_path, logger)
    output, hosts = train(project, TASK[logger], guard, matplotlib_cache)
    found = notices(output, logger)
    assert len(found) == 1, output[-4000:]
    assert found[0].startswith(f"{logger}: no ") and "offline" in found[0]
    assert METRICS[TASK[logger]] <= READERS[logger](project).metrics
    assert hosts <= (COMET_PROBES if logger == "comet" else set()), hosts


@pytest.mark.slow
@pytest.mark.parametrize("logger", ["neptune", "wandb", "comet"])
def test_a_rejected_key_falls_back_to_offline(logger, render, tmp_path, guard, matplotlib_cache):
    project = project_for(render, tmp_path, logger)
    set_secrets(project)
    # The guard refuses every connection; Comet would otherwise retry for most of a minute.
    retries = {
        "COMET_HTTP_SESSION_RETRY_TOTAL": "0",
        "COMET_GET_OR_ADD_EXPERIMENT_RETRY_TOTAL": "0",
    }
    output, _ = train(project, TASK[logger], guard, matplotlib_cache, **retries)
    found = notices(output, logger)
    assert len(found) == 1, output[-4000:]
    assert "could not start online" in found[0] and "offline" in found[0]
    assert METRICS[TASK[logger]] <= READERS[logger](project).metrics
    assert files_holding(project, SECRET) == [] and SECRET not in output


@pytest.mark.slow
@pytest.mark.parametrize("logger", LOGGERS)
def test_repeated_runs_are_children_of_a_parent_run_holding_the_summary(
    logger, render, tmp_path, guard, matplotlib_cache, monkeypatch
):
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    project = project_for(render, tmp_path, logger)
    arguments = ("train", "--seeds", "2")
    output, hosts = train(
        project, "classification", guard, matplotlib_cache, arguments, **OFFLINE.get(logger, {})
    )
    summary = json.loads((project / "outputs" / "summary.json").read_text())
    assert sorted(summary["test/acc"]["runs"]) == ["seed-42", "seed-43"]
    assert hosts <= (COMET_PROBES if logger == "comet" else set()), hosts
    if logger == "csv":
        assert not (project / "outputs" / "parent_run.json").exists()
        return
    parent, children = SERIES_READERS[logger](project)
    assert sorted(children) == ["seed-42", "seed-43"]
    assert all(METRICS["classification"] <= metrics for metrics in children.values()), children
    stats = {f"{name}/{stat}" for name in summary for stat in ("mean", "std", "min", "max")}
    assert stats <= parent, stats - parent
    assert "the summary of the 2 runs is in" in output

    # Run again: nothing trains, and no second parent or child appears.
    again, _ = train(
        project, "classification", guard, matplotlib_cache, arguments, **OFFLINE.get(logger, {})
    )
    assert again.count("not trained again") == 2
    assert sorted(SERIES_READERS[logger](project)[1]) == ["seed-42", "seed-43"]
