"""Optimizer and learning-rate schedule built from the `optimizer` and `scheduler` settings."""

from collections.abc import Iterable

import torch
from torch.optim import Optimizer
from torch.optim.lr_scheduler import CosineAnnealingLR, LRScheduler, StepLR

from models.base_model.networks import finetuned_backbones

DEFAULT_OPTIMIZER = {"name": "adamw", "lr": 1e-3, "weight_decay": 0.0}
DEFAULT_SCHEDULER = {"name": "none"}


def parameter_groups(model: torch.nn.Module) -> Iterable[torch.nn.Parameter] | list[dict]:
    """`model`'s parameters, in groups when a network starts from weights: each backbone in a
    group of its own, whose `lr_factor` scales the learning rate (finetune.backbone_lr_factor),
    and the rest, heads included, in the first. The groups exist from the first step, frozen or
    not, so that the learning-rate schedule scales them all."""
    backbones = finetuned_backbones(model)
    if not backbones:
        return model.parameters()
    groups = [
        {"params": params, "lr_factor": plan["backbone_lr_factor"], "name": f"backbone{i or ''}"}
        for i, (plan, params) in enumerate(backbones)
    ]
    taken = {id(parameter) for group in groups for parameter in group["params"]}
    rest = [parameter for parameter in model.parameters() if id(parameter) not in taken]
    return [{"params": rest, "name": "head"}, *groups]


def build_optimizer(
    parameters: Iterable[torch.nn.Parameter] | list[dict], settings: dict | None, **overrides
) -> Optimizer:
    """Adam, AdamW or SGD (with momentum 0.9) from `{"name", "lr", "weight_decay"}`; a parameter
    group with an `lr_factor` gets that fraction of the learning rate."""
    settings = {**DEFAULT_OPTIMIZER, **(settings or {})}
    name, lr, decay = settings["name"], settings["lr"], settings.get("weight_decay", 0.0)
    if isinstance(parameters, list) and parameters and isinstance(parameters[0], dict):
        parameters = [
            {**group, "lr": lr * group["lr_factor"]} if "lr_factor" in group else group
            for group in parameters
        ]
    if name == "sgd":
        return torch.optim.SGD(parameters, lr=lr, momentum=0.9, weight_decay=decay)
    optimizer = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[name]
    return optimizer(parameters, lr=lr, weight_decay=decay, **overrides)


def build_scheduler(
    optimizer: Optimizer, settings: dict | None, max_epochs: int
) -> LRScheduler | None:
    """Cosine decay over `max_epochs`, a step decay, or None, stepped once per epoch."""
    settings = {**DEFAULT_SCHEDULER, **(settings or {})}
    if settings["name"] == "cosine":
        return CosineAnnealingLR(optimizer, T_max=max(1, max_epochs))
    if settings["name"] == "step":
        return StepLR(optimizer, step_size=settings["step_size"], gamma=settings["gamma"])
    return None


def optimization(
    parameters: Iterable[torch.nn.Parameter] | list[dict],
    optimizer: dict | None,
    scheduler: dict | None,
    max_epochs: int,
) -> dict:
    """What `configure_optimizers` returns for one optimizer and its optional schedule."""
    built = build_optimizer(parameters, optimizer)
    schedule = build_scheduler(built, scheduler, max_epochs)
    if schedule is None:
        return {"optimizer": built}
    return {"optimizer": built, "lr_scheduler": {"scheduler": schedule, "interval": "epoch"}}
