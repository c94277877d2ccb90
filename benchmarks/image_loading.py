"""How long a generated images project takes to start on a large folder, first and second time,
and how fast its training loader goes against a plain torchvision loop over the same files.

Writes 12,000 small JPEG files (scikit-learn's 8x8 digits, upscaled to 36-60 px with noise, in
one sub-folder per digit) to a temporary folder and generates a project with the default answers
(images, classification). Then:

- start: time from creating the classification data module (the defaults: `image_size: auto`,
  `num_workers: auto`, the index under a temporary data.dir) to the first training batch, in a
  fresh process (its imports and settings read before the clock starts), twice: the first start
  decodes every image into the index, the second reads the index (and stats the files).
  Target: second <= 10 % of first.
- epoch: images/s of one epoch of the project's training loader against torchvision's
  `ImageFolder` + `DataLoader` over the same files, with the same transforms (the shorter side to
  the size, centre square, the default augmentation, standardisation), batch size and workers,
  both in this process, alternating, best of `--repeats`. Target: project <= 1.10 x plain.

The last line reads `first_start_s=<a> second_start_s=<b> start_ratio=<b/a> epoch_ratio=<r>`.

    python benchmarks/image_loading.py [--images 12000] [--repeats 2]
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from backbones import generate  # the same images project: classification, default answers

DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def write_images(count: int, folder: Path, seed: int = 0) -> None:
    """`count` JPEG files of the digits, 36-60 px, in one sub-folder per digit name."""
    from PIL import Image
    from sklearn.datasets import load_digits

    digits = load_digits()
    rng = np.random.default_rng(seed)
    for name in DIGITS:
        (folder / name).mkdir(parents=True)
    for index in range(count):
        pick = index % len(digits.images)
        side = int(rng.integers(36, 61))
        grey = (digits.images[pick] * (255 / 16)).astype(np.uint8)
        picture = Image.fromarray(grey).resize((side, side), Image.Resampling.BILINEAR)
        pixels = np.asarray(picture, dtype=np.int16) + rng.integers(-20, 21, (side, side))
        colour = np.stack([np.clip(pixels, 0, 255).astype(np.uint8)] * 3, axis=-1)
        path = folder / DIGITS[digits.target[pick]] / f"{index:05d}.jpg"
        Image.fromarray(colour).save(path, quality=90)


def default_data(project: Path) -> dict:
    """The generated project's `data` settings (config/config.yaml)."""
    sys.path.insert(0, str(project))
    from config import load_settings, plain

    return plain(load_settings().data)


def datamodule(project: Path, folder: Path, data_dir: Path, data: dict):
    """The project's classification data module with the default `data` settings."""
    sys.path.insert(0, str(project))
    from components.data_module import ClassificationDataModule

    return ClassificationDataModule(
        folder,
        image_size=data["image_size"],
        num_workers=data["num_workers"],
        augment=data["augment"],
        batch_size=data["batch_size"],
        data_dir=data_dir,
        index_dir=data_dir / ".image_index",
    )


def measure_start(project: Path, folder: Path, data_dir: Path) -> None:
    """In this process: seconds from a new data module to its first training batch (after the
    imports, which take the same time whether the index is there or not)."""
    data = default_data(project)
    import components.data_module  # noqa: F401
    import utils.readers

    start = time.perf_counter()
    module = datamodule(project, folder, data_dir, data)
    module.setup()
    setup = time.perf_counter() - start
    next(iter(module.train_dataloader()))
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "setup": setup, "decoded": utils.readers.decoded}))


def run_start(project: Path, folder: Path, data_dir: Path) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--start", str(project), str(folder), str(data_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def epoch_seconds(loader) -> float:
    start = time.perf_counter()
    for _ in loader:
        pass
    return time.perf_counter() - start


def compare_epochs(project: Path, folder: Path, data_dir: Path, repeats: int) -> dict:
    """Best-of-`repeats` seconds of one epoch of each loader, alternating the two."""
    import torch
    from torch.utils.data import DataLoader
    from torchvision.datasets import ImageFolder
    from torchvision.transforms import v2

    module = datamodule(project, folder, data_dir, default_data(project))
    module.setup()
    ours = module.train_dataloader()
    preprocessing, size = module.preprocessing, module.image_size
    plain_transform = v2.Compose(
        [
            v2.PILToTensor(),
            v2.Resize(size, antialias=True),
            v2.CenterCrop(size),
            module.augment,
            v2.ToDtype(torch.float32, scale=True),
            v2.Normalize(preprocessing["mean"], preprocessing["std"]),
        ]
    )
    # The same files: the training split's, in the same folder layout.
    plain_set = ImageFolder(str(folder), transform=plain_transform)
    train_files = set(map(str, module.splits["train"].paths))
    plain_set.samples = [sample for sample in plain_set.samples if sample[0] in train_files]
    plain = DataLoader(
        plain_set,
        batch_size=module.batch_size,
        shuffle=True,
        num_workers=module.num_workers,
        persistent_workers=module.num_workers > 0,
    )
    for loader in (plain, ours):  # start the persistent workers, warm the page cache
        next(iter(loader))
    times = {"plain": [], "project": []}
    for _ in range(repeats):
        times["plain"].append(epoch_seconds(plain))
        times["project"].append(epoch_seconds(ours))
    count = len(module.splits["train"])
    return {
        "images": count,
        "workers": module.num_workers,
        "image_size": size,
        **{name: min(values) for name, values in times.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=12_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--start", nargs=3, metavar=("PROJECT", "FOLDER", "DATA_DIR"))
    args = parser.parse_args()
    if args.start:
        measure_start(*map(Path, args.start))
        return

    with tempfile.TemporaryDirectory() as temporary:
        temporary = Path(temporary)
        folder, data_dir = temporary / "digits", temporary / "data"
        start = time.perf_counter()
        write_images(args.images, folder)
        print(f"wrote {args.images:,} JPEG files in {time.perf_counter() - start:.1f} s")
        project = generate(temporary / "project")
        first = run_start(project, folder, data_dir)
        second = run_start(project, folder, data_dir)
        for name, run in (("first", first), ("second", second)):
            print(
                f"{name} start: {run['seconds']:.2f} s to the first training batch, "
                f"{run['setup']:.2f} s of them in setup() ({run['decoded']:,} images decoded)"
            )
        epochs = compare_epochs(project, folder, data_dir, args.repeats)
    rates = {name: epochs["images"] / epochs[name] for name in ("plain", "project")}
    print(
        f"one epoch of {epochs['images']:,} training images at {epochs['image_size']} px, "
        f"{epochs['workers']} workers: plain ImageFolder {epochs['plain']:.2f} s "
        f"({rates['plain']:,.0f} images/s), project {epochs['project']:.2f} s "
        f"({rates['project']:,.0f} images/s)"
    )
    print(
        f"first_start_s={first['seconds']:.2f} second_start_s={second['seconds']:.2f} "
        f"start_ratio={second['seconds'] / first['seconds']:.3f} "
        f"epoch_ratio={epochs['project'] / epochs['plain']:.3f}"
    )


if __name__ == "__main__":
    main()
