"""A small image set trained from a local weights file against from scratch, in one process.

Generates an images project (classification), writes the demo digits, and splits them in three:
- source: every image of the digits zero to four, a large related set;
- target: the first `--per-class` images of each digit five to nine, the small set of a user;
- held-out: the other images of five to nine, never seen in training, to score on.
Then, through `main.main`:
1. trains a resnet18 on the source set (its ImageNet normalisation, every layer at the full
   learning rate) and saves its state dict without the head as the weights file, as a user
   would with a backbone of their own (no published weights are downloaded here);
2. trains on the target set: the default ConvNet and a resnet18 from scratch, and a resnet18
   from the weights file (`weights: PATH`, the default fine-tuning: backbone frozen for the first
   epoch, then at 0.1 times the learning rate);
3. predicts the held-out images with each and prints accuracy and training seconds.
The last line reads `accuracy_file=<a> accuracy_scratch=<b> accuracy_convnet=<c>
seconds_file=<d> seconds_scratch=<e>` (means over `--seeds`).

    python benchmarks/backbones.py [--per-class 20] [--epochs 15] [--source-epochs 8] [--seeds 3]
"""

import argparse
import contextlib
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import copier

TEMPLATE = Path(__file__).resolve().parents[1]
SOURCE, TARGET = ("zero", "one", "two", "three", "four"), ("five", "six", "seven", "eight", "nine")


def generate(destination: Path) -> Path:
    copier.run_copy(
        str(TEMPLATE),
        str(destination),
        data={"data_kind": "images", "tasks": ["classification"]},
        defaults=True,
        vcs_ref="HEAD",
        quiet=True,
        unsafe=False,
    )
    return destination


def run(main, arguments: list[str]) -> float:
    """Seconds of one `main(arguments)`, its output swallowed; fails loudly on a non-zero exit."""
    output = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        status = main(arguments)
    assert status == 0, output.getvalue()[-3000:]
    return time.perf_counter() - start


def split_demo(digits: Path, data: Path, per_class: int) -> None:
    """source/, target/ and heldout/ under `data`, from the demo's folder of digits."""
    for name in SOURCE:
        shutil.copytree(digits / name, data / "source" / name)
    for name in TARGET:
        files = sorted((digits / name).glob("*.png"))
        for folder, chosen in (("target", files[:per_class]), ("heldout", files[per_class:])):
            (data / folder / name).mkdir(parents=True)
            for file in chosen:
                shutil.copyfile(file, data / folder / name / file.name)


def accuracy(predictions: Path) -> float:
    import pandas as pd

    frame = pd.read_csv(predictions, dtype={"prediction": str})
    truth = frame["file"].map(lambda file: Path(file).parent.name)
    return float((frame["prediction"] == truth).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--source-epochs", type=int, default=8)
    parser.add_argument("--seeds", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        project = generate(root / "project")
        os.chdir(project)
        sys.path.insert(0, str(project))
        import torch
        import torchvision
        from main import main as project_main
        from utils.readers import write_demo_images

        data = root / "data"
        write_demo_images(data, data / "digits")
        split_demo(data / "digits", data, options.per_class)
        common = [
            "trainer.accelerator=cpu",
            "callbacks.progress_bar.refresh_rate=0",
            "tracker.name=csv",
            f"data.dir={data}",
        ]
        network = "model.classification.network="
        torch.save(torchvision.models.resnet18().state_dict(), root / "random.pth")
        plain = {"freeze_epochs": 0, "backbone_lr_factor": 1.0}
        source = {"class": "resnet18", "weights": str(root / "random.pth"), "finetune": plain}
        seconds = run(
            project_main,
            [
                "train",
                *common,
                "data.classification.folder=source",
                f"trainer.max_epochs={options.source_epochs}",
                f"output_dir={root / 'source'}",
                network + json.dumps(source),
            ],
        )
        checkpoint = torch.load(root / "source/checkpoints/best.ckpt", weights_only=False)
        backbone = {
            key.removeprefix("network."): value
            for key, value in checkpoint["state_dict"].items()
            if key.startswith("network.") and not key.startswith("network.fc.")
        }
        torch.save(backbone, root / "backbone.pth")
        print(f"source: resnet18 on {len(SOURCE)} digits, {seconds:.1f} s")

        runs = {
            "ConvNet from scratch": None,
            "resnet18 from scratch": {"class": "resnet18"},
            "resnet18 from the weights file": {
                "class": "resnet18",
                "weights": str(root / "backbone.pth"),
            },
        }
        results = {name: {"accuracy": [], "seconds": []} for name in runs}
        for seed in range(options.seeds):
            for name, spec in runs.items():
                out = root / f"{name.replace(' ', '-')}-{seed}"
                arguments = [
                    *common,
                    "data.classification.folder=target",
                    f"trainer.max_epochs={options.epochs}",
                    f"seed={seed}",
                    f"output_dir={out}",
                    *([network + json.dumps(spec)] if spec else []),
                ]
                results[name]["seconds"].append(run(project_main, ["train", *arguments]))
                run(project_main, ["predict", "--input", str(data / "heldout"), *arguments])
                results[name]["accuracy"].append(accuracy(out / "predictions.csv"))
        held_out = sum(1 for _ in (data / "heldout").rglob("*.png"))
        print(
            f"target: {options.per_class} images per digit of {len(TARGET)}, {options.epochs} "
            f"epochs; accuracy on {held_out} held-out images, mean over {options.seeds} seeds"
        )
        print("| network | accuracy | training seconds |")
        print("| --- | --- | --- |")
        means = {}
        for name, result in results.items():
            means[name] = (statistics.mean(result["accuracy"]), statistics.mean(result["seconds"]))
            each = ", ".join(f"{value:.3f}" for value in result["accuracy"])
            print(f"| {name} | {means[name][0]:.3f} ({each}) | {means[name][1]:.1f} |")
        file, scratch = means["resnet18 from the weights file"], means["resnet18 from scratch"]
        print(
            f"accuracy_file={file[0]:.3f} accuracy_scratch={scratch[0]:.3f} "
            f"accuracy_convnet={means['ConvNet from scratch'][0]:.3f} "
            f"seconds_file={file[1]:.1f} seconds_scratch={scratch[1]:.1f}"
        )


if __name__ == "__main__":
    main()
