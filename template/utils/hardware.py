"""Checks that the requested accelerator and devices exist before Lightning starts using them,
and sizes the data loaders' workers to the machine (`data.num_workers: auto`)."""

import os

from utils.errors import ProjectError

# What one device of each of Lightning's accelerators is called in messages.
DEVICE_NAMES = {"cpu": "CPU core", "cuda": "CUDA GPU", "mps": "Apple MPS GPU", "tpu": "TPU core"}


def machine_accelerators() -> dict[str, int]:
    """Lightning's accelerators that this machine has, each with its number of devices (for the
    CPU, its cores)."""
    from pytorch_lightning.accelerators import AcceleratorRegistry

    found = {}
    for name in sorted(AcceleratorRegistry.available_accelerators()):
        accelerator = AcceleratorRegistry[name]["accelerator"]
        if accelerator.is_available():
            count = os.cpu_count() if name == "cpu" else accelerator.auto_device_count()
            found[name] = count or 1
    return found


def resolve(accelerator: str, found: dict[str, int]) -> str:
    """The registered accelerator that Lightning picks for `accelerator` on this machine."""
    if accelerator == "auto":
        # Lightning's own order of preference.
        return next((name for name in ("tpu", "mps", "cuda") if name in found), "cpu")
    if accelerator == "gpu":
        return "mps" if "mps" in found else "cuda"
    return accelerator


def inference_device(accelerator: object, devices: object = 1) -> str:
    """The one torch device that `serve` and `benchmark` run a model on: that of the accelerator
    Lightning picks for `trainer.accelerator` (the first of `trainer.devices` for CUDA), or the
    CPU."""
    found = machine_accelerators()
    name = resolve(str(accelerator), found)
    if name not in found or name not in ("cuda", "mps"):
        return "cpu"
    if name == "cuda":
        return f"cuda:{devices[0] if isinstance(devices, list) and devices else 0}"
    return name


def describe(found: dict[str, int]) -> str:
    return ", ".join(
        f"{count} {DEVICE_NAMES.get(name, name + ' device')}{'s' if count != 1 else ''}"
        for name, count in found.items()
    )


def check_devices(accelerator: object, devices: object) -> None:
    """Raise ProjectError when `trainer.accelerator` names an accelerator that this machine lacks,
    or `trainer.devices` asks for more devices than it has.

    Lightning would otherwise fail deep inside its set-up without naming the setting, or start one
    process per requested CPU device without complaint.
    """
    from pytorch_lightning.accelerators import AcceleratorRegistry

    found = machine_accelerators()
    usable = ["auto", *found, *(["gpu"] if {"cuda", "mps"} & set(found) else [])]
    known = {"auto", "gpu", *AcceleratorRegistry.available_accelerators()}
    if not isinstance(accelerator, str) or accelerator not in known:
        raise ProjectError(
            f"trainer.accelerator is {accelerator!r}; expected one of {', '.join(usable)} "
            f"(the accelerators this machine has: {describe(found)})."
        )
    name = resolve(accelerator, found)
    if name not in found:
        wanted = "CUDA or Apple MPS GPU" if accelerator == "gpu" else DEVICE_NAMES.get(name, name)
        raise ProjectError(
            f"trainer.accelerator is {accelerator!r}, but this machine has no {wanted} "
            f"(it has: {describe(found)}); expected one of {', '.join(usable)}."
        )
    available, kind = found[name], DEVICE_NAMES.get(name, f"{name} device")
    if isinstance(devices, bool) or not isinstance(devices, int | list):
        return
    if isinstance(devices, int) and devices > available:
        raise ProjectError(
            f"trainer.devices is {devices} but this machine has {available} {kind}(s); "
            f"set trainer.devices to at most {available}, or to auto."
        )
    if isinstance(devices, list) and any(
        not isinstance(index, int) or not 0 <= index < available for index in devices
    ):
        raise ProjectError(
            f"trainer.devices is {devices} but this machine has {available} {kind}(s), "
            f"numbered 0 to {available - 1}; list indices in that range, or set a count or auto."
        )


# data.num_workers `auto` never starts more loader processes than this per training process:
# beyond it, image decoding rarely keeps up better, and each worker holds memory.
MAX_AUTO_WORKERS = 8


def available_cores() -> int:
    """CPU cores this process may run on: its affinity (what a container, `taskset` or a
    cluster's job allows), where the system reports one, else every core."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def processes_per_node(accelerator: object, devices: object) -> int:
    """Training processes Lightning starts on this machine: one per device it trains on."""
    if isinstance(devices, list):
        return max(1, len(devices))
    if isinstance(devices, int) and not isinstance(devices, bool) and devices > 0:
        return devices
    found = machine_accelerators()
    name = resolve(str(accelerator), found)
    if name == "cpu" and devices == "auto":
        return 1  # Lightning's `auto` on the CPU is one process
    return found.get(name, 1)


def worker_count(setting: int | str, processes: int = 1, in_memory: bool = False) -> int:
    """The DataLoader workers of each training process: `setting` when it is a number; for
    `auto`, the cores available to this process shared among the `processes` of this machine,
    one core of each share left to the training process itself, at most MAX_AUTO_WORKERS; 0 for
    data served from memory (tables), which workers would only copy. `auto` prints its choice."""
    if setting != "auto":
        return int(setting)
    if in_memory:
        print("num_workers: auto → 0 (the rows are served from memory)")
        return 0
    cores = available_cores()
    share = cores // max(1, processes)
    count = max(0, min(share - 1, MAX_AUTO_WORKERS))
    shared = f", shared by {processes} training processes" if processes > 1 else ""
    print(f"num_workers: auto → {count} ({cores} CPU cores{shared}; one kept for training)")
    return count
