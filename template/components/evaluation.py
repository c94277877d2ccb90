"""`python main.py test`: a checkpoint's metrics on the test split, written to metrics.json as
training writes them."""

from pathlib import Path

from components.building import build_datamodule, build_trainer, prepare_run
from components.checkpoints import load_checkpoint
from components.training import log_settings, write_metrics


def test(settings, ckpt: Path | None = None) -> dict:
    """Evaluate `ckpt` (default: the run's best checkpoint) on the test split that training used,
    prepared by the preprocessing it recorded; write and return the metrics."""
    prepare_run(settings)
    model, path = load_checkpoint(settings, ckpt)
    datamodule = build_datamodule(settings, model.preprocessing)
    output_dir = Path(settings.output_dir)
    # A result from an earlier run must not pass for this one's if this one fails.
    (output_dir / "metrics.json").unlink(missing_ok=True)
    trainer = build_trainer(settings, "test")
    log_settings(settings, trainer)
    results = trainer.test(model, datamodule=datamodule)
    metrics = {"task": settings.task, "checkpoint": str(path), **results[0]}
    if trainer.is_global_zero:
        write_metrics(metrics, output_dir / "metrics.json")
        print(f"Test metrics: {output_dir / 'metrics.json'}")
    return metrics
