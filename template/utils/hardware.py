"""Checks that the requested accelerator and devices exist before Lightning starts using them."""

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
