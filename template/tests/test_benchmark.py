"""`python main.py benchmark` on the checkpoints trained by the session's fixture: a row per format
with its size, metric and speed, metrics that must agree with PyTorch's, a failing format that
gets a row saying why, and (slow) the server under load."""

import pandas as pd
import pytest

from components import benchmarking
from components.tasks import TASKS
from main import main
from tests.test_gpu import needs_cuda

SUPERVISED = [task for task, classes in TASKS.items() if not classes.model.generates]
GENERATIVE = [task for task, classes in TASKS.items() if classes.model.generates]
# The tasks whose benchmark loads the server too: another supervised task sends the same requests.
SERVED = SUPERVISED[:1] + GENERATIVE
SPEEDS = ["size_mb", "latency_ms_median", "latency_ms_p95", "throughput_per_s"]


@pytest.fixture
def short(monkeypatch):
    """Timings of a fraction of a second: these tests check that the numbers exist."""
    monkeypatch.setattr(benchmarking, "BUDGET_SECONDS", 0.2)
    monkeypatch.setattr(benchmarking, "SERVE_SECONDS", 1.0)
    monkeypatch.setattr(benchmarking, "SERVE_WARMUP", 0.5)


def metric_column(table: pd.DataFrame) -> str:
    [column] = [column for column in table.columns if column.startswith("test/")]
    return column


def test_benchmark_without_checkpoint_fails_as_predict_does(settings, tmp_path, capsys):
    empty = tmp_path / "nothing"
    status = main(["benchmark", f"output_dir={empty}", f"data.dir={settings.data.dir}"])
    assert status == 1
    error = capsys.readouterr().err
    assert f"no checkpoint at {empty / 'checkpoints'}" in error
    assert "train first with `python main.py train` or pass --ckpt" in error
    assert not (empty / "benchmark.csv").exists()


@pytest.mark.slow
@pytest.mark.parametrize("task", list(TASKS))
def test_benchmark_compares_the_formats_and_loads_the_server(task, trained, short, capsys):
    common, output_dir = trained(task)
    serve = ["--serve"] if task in SERVED else []
    (output_dir / "benchmark_serve.csv").unlink(missing_ok=True)
    assert main(["benchmark", *serve, *common]) == 0
    printed = capsys.readouterr().out

    table = pd.read_csv(output_dir / "benchmark.csv")
    assert table["format"].tolist() == list(benchmarking.FORMATS)
    rows = table.set_index("format")
    assert rows.loc["pytorch", "status"] == "ok" and rows.loc["onnx", "status"] == "ok"
    assert rows.loc["torch.compile", "status"].startswith(("ok", "failed: "))
    working = table[table["status"] == "ok"]
    assert (working[SPEEDS] > 0).all().all()
    assert (working["latency_ms_p95"] >= working["latency_ms_median"]).all()
    assert (output_dir / "benchmark" / "model.onnx").is_file()
    metric = metric_column(table)
    if TASKS[task].model.generates:
        assert table[metric].isna().all()
    else:
        assert pd.notna(rows.loc["pytorch", metric])
        tolerance = benchmarking.METRIC_TOLERANCE
        assert working[metric].sub(rows.loc["pytorch", metric]).abs().max() <= tolerance

    assert "torch.compile" in printed and "throughput_per_s" in printed
    if not serve:
        assert not (output_dir / "benchmark_serve.csv").exists()
        return
    served = pd.read_csv(output_dir / "benchmark_serve.csv")
    assert served["clients"].tolist() == list(benchmarking.CLIENTS)
    assert (served["errors"] == 0).all()
    assert (served[["requests", "requests_per_s", "latency_ms_p50"]] > 0).all().all()
    assert "requests_per_s" in printed


@pytest.mark.slow
@pytest.mark.parametrize("task", SUPERVISED[:1])
def test_a_format_that_fails_or_disagrees_is_named(task, trained, short, monkeypatch, capsys):
    common, output_dir = trained(task)

    def no_compiler(network):
        def compiled(inputs):
            raise RuntimeError("no C++ compiler found\nmore details")

        return compiled

    monkeypatch.setattr(benchmarking.torch, "compile", no_compiler)
    monkeypatch.setattr(benchmarking, "METRIC_TOLERANCE", -1.0)  # no difference can pass
    assert main(["benchmark", *common]) == 1
    error = capsys.readouterr().err
    assert "onnx's test/" in error and "pytorch's" in error

    rows = pd.read_csv(output_dir / "benchmark.csv").set_index("format")
    assert rows.loc["torch.compile", "status"] == "failed: RuntimeError: no C++ compiler found"
    assert rows.loc["torch.compile", SPEEDS[1:]].isna().all()
    assert rows.loc["onnx", "status"].startswith("test/")


@needs_cuda
@pytest.mark.parametrize("task", SUPERVISED)
def test_benchmark_runs_on_the_gpu(task, trained, short):
    common, output_dir = trained(task)
    assert main(["benchmark", *common, "trainer.accelerator=gpu"]) == 0
    rows = pd.read_csv(output_dir / "benchmark.csv").set_index("format")
    assert rows.loc["pytorch", "device"] == "cuda:0"
    metric = metric_column(rows)
    assert abs(rows.loc["onnx", metric] - rows.loc["pytorch", metric]) <= 1e-3
