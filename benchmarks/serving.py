"""Requests per second of `python main.py serve` under concurrent clients: three servers compared.

Generates a project with the default answers (classification on the digits table demo), trains it
briefly, and measures three servers on the same checkpoint, each started as `serve` starts it:

- **batched**: `python main.py serve` as shipped (`--max-batch-size 32 --batch-timeout 0.005`);
- **unbatched**: the same with `--max-batch-size 1`;
- **no-model**: batched, but the model does nothing: its forward pass returns uniform
  probabilities without running the network; decoding, preprocessing, the answers and the HTTP
  stack are kept. Its rate is what the HTTP stack and LitServe's queues allow on this machine.

Then, in rounds whose order turns, each server in turn is started alone and gets `--clients`
concurrent clients (aiohttp's async client, in this process; `--client httpx` for httpx's, which
needs more CPU per request and so becomes the bottleneck itself on a small machine), each sending
requests of one demo row back to back for `--seconds` after a warm-up. Every request is counted:
an answer other than 200 or a transport error is an error. Printed per server: requests/s, p50
and p99 latency (ms) and errors, medians over the rounds; then
`batched_over_unbatched=<x> batched_over_no_model=<y>`. Targets: x >= 1.5, y >= 0.6.

The clients share the machine with the servers: on a 2-core machine the load generator's own CPU
is part of every measurement, the same for the three.

    python benchmarks/serving.py [--clients 32] [--seconds 10] [--rounds 3] [--project PATH]
        [--accelerator cpu|gpu]

`--project` serves a project generated before (default answers) instead of generating one, for a
machine without copier.
"""

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import aiohttp
import httpx
import numpy as np
import pandas as pd
from predict_speed import SHORT_TRAINING, main_py

TEMPLATE = Path(__file__).resolve().parents[1]
# A server whose model does nothing: serve's own ModelAPI, its forward pass replaced. Written into
# the project and run as a script, so that LitServe's worker processes can import the class.
NO_MODEL_SERVER = textwrap.dedent(
    '''
    import sys

    import numpy as np

    import components.serving as serving


    class NoModelAPI(serving.ModelAPI):
        """Uniform probabilities for every row, without running the network."""

        def forward(self, inputs):
            classes = self.model.hparams.sizes["num_classes"]
            return np.full((len(inputs), classes), 1 / classes, np.float32)


    if __name__ == "__main__":
        from main import main

        serving.ModelAPI = NoModelAPI
        sys.exit(main(["serve", *sys.argv[1:]]))
    '''
)
VARIANTS = {
    "batched": ["main.py", "serve"],
    "unbatched": ["main.py", "serve", "--max-batch-size", "1"],
    "no-model": ["no_model_server.py"],
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(
    project: Path, arguments: list[str], log: Path, accelerator: str = "cpu"
) -> tuple[subprocess.Popen, str]:
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, *arguments, "--port", str(port), f"trainer.accelerator={accelerator}"],
            cwd=project,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # stopped with LitServe's worker processes by its group
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{arguments} stopped:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{arguments} did not answer /health:\n{log.read_text()}")


async def load(
    url: str, body: dict, clients: int, seconds: float, warmup: float, tool: str
) -> dict:
    """`clients` clients sending `body` back to back; the requests started within `seconds`
    after `warmup` are measured."""
    latencies: list[float] = []
    errors = 0
    async with session(tool, url, clients) as post:
        begin = time.perf_counter()
        measure_from, measure_to = begin + warmup, begin + warmup + seconds

        async def client() -> None:
            nonlocal errors
            while (sent := time.perf_counter()) < measure_to:
                try:
                    ok = await post(body)
                except (httpx.HTTPError, aiohttp.ClientError):
                    ok = False
                if sent >= measure_from:
                    latencies.append(time.perf_counter() - sent)
                    errors += not ok

        await asyncio.gather(*(client() for _ in range(clients)))
    milliseconds = np.array(latencies) * 1000
    return {
        "requests_per_s": len(latencies) / seconds,
        "p50_ms": float(np.percentile(milliseconds, 50)),
        "p99_ms": float(np.percentile(milliseconds, 99)),
        "errors": errors,
    }


@contextlib.asynccontextmanager
async def session(tool: str, url: str, clients: int):
    """post(body) -> whether the answer was 200, over `clients` kept-alive connections of
    aiohttp's or httpx's async client."""
    if tool == "httpx":
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as http:

            async def post(body: dict) -> bool:
                return (await http.post("/predict", json=body)).status_code == 200

            yield post
        return
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(url, connector=connector, timeout=timeout) as http:

        async def post(body: dict) -> bool:
            async with http.post("/predict", json=body) as response:
                await response.read()
                return response.status == 200

        yield post


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--client", choices=["aiohttp", "httpx"], default="aiohttp")
    parser.add_argument("--project", type=Path, help="a generated project to serve")
    parser.add_argument(
        "--accelerator", default="cpu", help="where the servers run the model (gpu: on CUDA)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch) / "project"
        if args.project:
            shutil.copytree(args.project, project)
        else:
            import copier

            copier.run_copy(
                str(TEMPLATE), str(project), defaults=True, vcs_ref="HEAD", quiet=True, unsafe=False
            )
        main_py(project, "train", *SHORT_TRAINING)
        (project / "no_model_server.py").write_text(NO_MODEL_SERVER)
        row = pd.read_csv(project / "data" / "digits.csv").drop(columns="target").iloc[0]
        body = {"rows": [row.to_dict()]}

        results: dict[str, list[dict]] = {name: [] for name in VARIANTS}
        names = list(VARIANTS)
        for round_ in range(args.rounds):
            for name in names[round_ % 3 :] + names[: round_ % 3]:
                # One server at a time: an idle batching server still polls its queue every
                # millisecond, which would take CPU from the one measured.
                process, url = start(
                    project, VARIANTS[name], Path(scratch) / f"{name}.log", args.accelerator
                )
                try:
                    result = asyncio.run(
                        load(url, body, args.clients, args.seconds, args.warmup, args.client)
                    )
                finally:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=60)
                results[name].append(result)
                print(f"round {round_ + 1} {name:<10} " + format_result(result), flush=True)

    medians = {
        name: {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        for name, runs in results.items()
    }
    print(f"\n{args.clients} clients, one row per request, medians of {args.rounds} rounds:")
    for name, result in medians.items():
        print(f"  {name:<10} " + format_result(result))
    rate = {name: result["requests_per_s"] for name, result in medians.items()}
    print(
        f"batched_over_unbatched={rate['batched'] / rate['unbatched']:.2f} "
        f"batched_over_no_model={rate['batched'] / rate['no-model']:.2f}"
    )


def format_result(result: dict) -> str:
    return (
        f"{result['requests_per_s']:7.1f} req/s  p50 {result['p50_ms']:6.1f} ms  "
        f"p99 {result['p99_ms']:6.1f} ms  errors {result['errors']:.0f}"
    )


if __name__ == "__main__":
    main()
