"""Checks that the requested devices exist before Lightning starts processes for them."""

import os

from utils.errors import ProjectError


def check_devices(accelerator: str, devices: object) -> None:
    """Raise ProjectError when `trainer.devices` asks for more devices than this machine has.

    Lightning would otherwise start one process per requested CPU device without complaint, or
    fail on GPUs deep inside its launcher.
    """
    if not isinstance(devices, int) or devices < 1:
        return
    import torch

    gpus = torch.cuda.device_count()
    if accelerator in ("gpu", "cuda") or (accelerator == "auto" and gpus):
        available, kind = gpus, "CUDA GPU"
    elif accelerator == "cpu" or (accelerator == "auto" and not gpus):
        available, kind = os.cpu_count() or 1, "CPU core"
    else:
        return
    if devices > available:
        raise ProjectError(
            f"trainer.devices is {devices} but this machine has {available} {kind}(s); "
            f"set trainer.devices to at most {available}, or to auto."
        )
