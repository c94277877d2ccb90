"""`python main.py benchmark`: the checkpoint as PyTorch, compiled by torch.compile, and exported to
ONNX and run by ONNX Runtime, side by side on the configured accelerator: file size, the main test
metric from each format's own outputs, latency at batch 1 and throughput at batch 64. With
`--serve`, the HTTP server of `serve` under load too (components/server_load.py)."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from components.building import build_datamodule, prepare_run
from components.checkpoints import load_checkpoint
from utils.errors import ProjectError
from utils.files import written_whole
from utils.hardware import inference_device

#: The formats compared, the first being the reference that the others' metrics must match.
FORMATS = ("pytorch", "torch.compile", "onnx")
#: How far a format's test metric may be from PyTorch's (absolute, in the metric's units).
METRIC_TOLERANCE = 1e-3
#: The batch size of the throughput measurement.
THROUGHPUT_BATCH = 64
#: Each timing: calls that only warm up, then at most REPEATS timed calls, within BUDGET_SECONDS.
WARMUP, REPEATS, BUDGET_SECONDS = 10, 100, 3.0
#: --serve: concurrent clients of each round, and each round's seconds measured after a warm-up.
CLIENTS = (1, 8, 32)
SERVE_SECONDS, SERVE_WARMUP = 5.0, 1.0


@dataclass
class Format:
    """One format of the model: what runs a batch (numpy inputs in host memory to numpy outputs,
    transfers to and from the device included), where, its file, and what it gave."""

    name: str
    device: str
    file: Path
    run: Callable[[np.ndarray], np.ndarray] | None = None
    status: str = "ok"
    outputs: list[np.ndarray] = field(default_factory=list)

    @property
    def works(self) -> bool:
        return self.status == "ok"

    def fail(self, error: Exception) -> None:
        """Mark the format failed, with why, in the row instead of stopping the benchmark."""
        lines = str(error).strip().splitlines()
        self.status = f"failed: {type(error).__name__}: {lines[0][:200] if lines else ''}".strip()


def benchmark(
    settings, ckpt: Path | None = None, serve: bool = False, overrides: list[str] | None = None
) -> Path:
    """Benchmark the checkpoint `ckpt` (default: the run's best) in every format of FORMATS;
    print the table and write it to <output_dir>/benchmark.csv; with `serve`, load the server
    too and write <output_dir>/benchmark_serve.csv. `overrides` are the key=value settings that
    the server gets. ProjectError, once both are written, if a format's metric disagrees."""
    prepare_run(settings)
    model, path = load_checkpoint(settings, ckpt)
    # The checkpoint's preprocessing and split, never a new fit.
    datamodule = build_datamodule(settings, model.preprocessing)
    output_dir = Path(settings.output_dir)
    device = inference_device(settings.trainer.accelerator, settings.trainer.devices)
    formats = build_formats(settings, model, path, device, output_dir / "benchmark")

    metric, scores, inputs = None, {}, model.example_input(THROUGHPUT_BATCH).numpy()
    if not model.generates:
        metric = f"test/{model.monitor.split('/', 1)[1]}"
        scores, inputs = score_formats(model, datamodule, formats)
    rows = [measure(each, inputs, scores.get(each.name), metric) for each in formats]
    disagreeing = check_agreement(rows, metric)
    table = pd.DataFrame(rows)
    write_csv(table, output_dir / "benchmark.csv")
    print(f"Benchmark of {path} on {device}:\n{readable(table)}")
    print(f"Benchmark: {output_dir / 'benchmark.csv'}")
    if serve:
        from components.server_load import requests_from_test_split, serve_under_load

        results = serve_under_load(
            ["--ckpt", str(path.resolve()), *(overrides or [])],
            requests_from_test_split(model, datamodule),
            output_dir / "benchmark" / "server.log",
            CLIENTS,
            SERVE_SECONDS,
            SERVE_WARMUP,
        )
        served = pd.DataFrame(results)
        write_csv(served, output_dir / "benchmark_serve.csv")
        print(f"The server under load, one input per request:\n{readable(served)}")
        print(f"Server benchmark: {output_dir / 'benchmark_serve.csv'}")
    if disagreeing:
        raise ProjectError(
            f"{'; '.join(disagreeing)} (allowed {METRIC_TOLERANCE:g}); see "
            f"{output_dir / 'benchmark.csv'}"
        )
    return output_dir / "benchmark.csv"


def build_formats(settings, model, path: Path, device: str, folder: Path) -> list[Format]:
    """The formats of FORMATS, each ready to run or marked failed with why."""
    network = model.export_module().eval().to(device)
    formats = []
    for name in FORMATS:
        if name == "onnx":
            formats.append(onnx_format(settings, path, device, folder / "model.onnx"))
            continue
        runnable = torch.compile(network) if name == "torch.compile" else network
        formats.append(Format(name, device, path, torch_runner(runnable, device)))
    return formats


def torch_runner(network: Callable, device: str) -> Callable[[np.ndarray], np.ndarray]:
    def run(batch: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return network(torch.from_numpy(batch).to(device)).float().cpu().numpy()

    return run


def onnx_format(settings, path: Path, device: str, output: Path) -> Format:
    """The checkpoint exported as `export` writes it, run by ONNX Runtime: with its CUDA provider
    when the device is a CUDA GPU and the installed onnxruntime has it (onnxruntime-gpu), else
    on the CPU."""
    import onnxruntime

    from components.export import export

    providers: list = ["CPUExecutionProvider"]
    on_cuda = device.startswith("cuda")
    if on_cuda and "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        providers.insert(0, ("CUDAExecutionProvider", {"device_id": int(device.split(":")[1])}))
    try:
        export(settings, path, output)
    except ProjectError as error:
        format_ = Format("onnx", "cpu", output)
        format_.fail(error)
        return format_
    session = onnxruntime.InferenceSession(str(output), providers=providers)
    input_name = session.get_inputs()[0].name
    used = session.get_providers()[0]
    name = device if used == "CUDAExecutionProvider" else "cpu"

    def run(batch: np.ndarray) -> np.ndarray:
        return session.run(None, {input_name: batch})[0]

    return Format("onnx", name, output, run)


def score_formats(model, datamodule, formats: list[Format]) -> tuple[dict, np.ndarray]:
    """Each working format's main test metric, computed from its own outputs over the test split
    by the metric object that testing uses; and THROUGHPUT_BATCH test inputs (repeated if the
    split is smaller) to time the formats on."""
    targets, inputs = [], []
    for batch, target in datamodule.test_dataloader():
        batch = batch.numpy()
        for each in formats:
            call(each, batch, keep=True)
        targets.append(target)
        if sum(len(x) for x in inputs) < THROUGHPUT_BATCH:
            inputs.append(batch)
    targets = torch.cat(targets)
    scores = {
        each.name: model.score(torch.from_numpy(np.concatenate(each.outputs)), targets)
        for each in formats
        if each.works
    }
    inputs = np.concatenate(inputs)
    repeats = -(-THROUGHPUT_BATCH // len(inputs))
    return scores, np.concatenate([inputs] * repeats)[:THROUGHPUT_BATCH]


def call(format_: Format, batch: np.ndarray, keep: bool = False) -> None:
    """Run a working format on `batch`, keeping its outputs if asked; a failure (torch.compile
    fails on its first call) marks the format failed."""
    if not format_.works:
        return
    try:
        outputs = format_.run(batch)
    except Exception as error:  # torch.compile and ONNX Runtime raise errors of many types
        format_.fail(error)
        return
    if keep:
        format_.outputs.append(outputs)


def measure(format_: Format, inputs: np.ndarray, score: float | None, metric: str | None) -> dict:
    """The format's row: size, metric, latency at batch 1 and throughput at THROUGHPUT_BATCH."""
    call(format_, inputs)  # a GAN's torch.compile meets its first input here
    latency = seconds_per_call(format_, inputs[:1]) * 1000
    batched = seconds_per_call(format_, inputs)
    size = format_.file.stat().st_size / 1e6 if format_.file.is_file() else None
    return {
        "format": format_.name,
        "status": format_.status,
        "device": format_.device,
        "size_mb": size,
        metric or "test/metric": score,
        "latency_ms_median": np.median(latency) if len(latency) else None,
        "latency_ms_p95": np.percentile(latency, 95) if len(latency) else None,
        "throughput_per_s": len(inputs) / np.median(batched) if len(batched) else None,
    }


def seconds_per_call(format_: Format, batch: np.ndarray) -> np.ndarray:
    """Wall-clock seconds of each timed call of the format on `batch`: WARMUP calls first, then
    up to REPEATS, within BUDGET_SECONDS; none if the format does not work.

    Timed by hand: torch.utils.benchmark reports means of blocks of calls, and the p95 latency
    needs each call's own time. Each call returns its outputs in host memory, which waits for
    the device to finish."""
    for _ in range(WARMUP):
        call(format_, batch)
    times: list[float] = []
    deadline = time.perf_counter() + BUDGET_SECONDS
    while format_.works and len(times) < REPEATS and time.perf_counter() < deadline:
        start = time.perf_counter()
        format_.run(batch)
        times.append(time.perf_counter() - start)
    return np.array(times)


def check_agreement(rows: list[dict], metric: str | None) -> list[str]:
    """What disagrees with the reference format's metric by more than METRIC_TOLERANCE; such a
    row's status says so."""
    if metric is None:
        return []
    reference = rows[0]
    disagreeing = []
    for row in rows[1:]:
        if row[metric] is None or reference[metric] is None:
            continue
        difference = abs(row[metric] - reference[metric])
        if difference > METRIC_TOLERANCE:
            row["status"] = f"{metric} differs from {reference['format']}'s by {difference:.3g}"
            disagreeing.append(
                f"{row['format']}'s {metric} is {row[metric]:.4f}, {reference['format']}'s "
                f"{reference[metric]:.4f}"
            )
    return disagreeing


def write_csv(table: pd.DataFrame, path: Path) -> None:
    with written_whole(path) as partial:
        table.to_csv(partial, index=False)


def readable(table: pd.DataFrame) -> str:
    """The table as printed: numbers rounded to what a reader compares."""

    def number(value: float) -> str:
        return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.4g}"

    return table.to_string(index=False, na_rep="", float_format=number)
