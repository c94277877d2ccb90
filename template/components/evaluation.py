"""Testing a checkpoint: the test split's metrics, written to metrics.json as training does."""

from pathlib import Path

from components.checkpoints import checkpoint_path, load_model
from components.training import build, log_settings, task_classes, write_metrics


def test(settings, ckpt: Path | None = None) -> dict:
    """Evaluate `ckpt` (default: the run's best checkpoint) on the test split; write and return
    the metrics."""
    _, model_class = task_classes(settings.task)
    path = checkpoint_path(settings, model_class, ckpt)
    model = load_model(path, model_class, settings.task)
    output_dir = Path(settings.output_dir)
    # A result from an earlier run must not pass for this one's if this one fails.
    (output_dir / "metrics.json").unlink(missing_ok=True)
    datamodule, _, trainer = build(settings)
    log_settings(settings, trainer)
    results = trainer.test(model, datamodule=datamodule)
    metrics = {"task": settings.task, "checkpoint": str(path), **results[0]}
    if trainer.is_global_zero:
        write_metrics(metrics, output_dir / "metrics.json")
        print(f"Test metrics: {output_dir / 'metrics.json'}")
    return metrics
