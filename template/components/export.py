"""Export to ONNX: the model as a file any ONNX runtime can serve, checked against torch."""

import json
from pathlib import Path

import numpy as np
import torch

from components.building import prepare_run
from components.checkpoints import load_checkpoint
from utils.errors import ProjectError
from utils.files import written_whole

#: The largest difference between ONNX Runtime's and torch's outputs that passes the check.
TOLERANCE = 1e-4


def export(settings, ckpt: Path | None = None, output: Path | None = None) -> Path:
    """Write the checkpoint's model as ONNX with a dynamic batch dimension (what predict_step
    computes; a GAN's generator) and a JSON description beside it; check it at two batch sizes;
    return the ONNX path. Both files appear only once the check has passed.
    """
    prepare_run(settings)
    model, path = load_checkpoint(settings, ckpt)
    output = Path(output) if output else Path(settings.output_dir) / "model.onnx"
    network = model.export_module().eval()
    names = (model.input_name, model.output_name)
    example = model.example_input(4)
    with torch.no_grad():
        expected_shape = list(network(example).shape[1:])

    sidecar = output.with_suffix(".json")
    # The description is renamed into place first and the model last, both or neither.
    with written_whole(output) as partial, written_whole(sidecar) as sidecar_partial:
        write_onnx(network, example, names, partial)
        # Two batch sizes: the dynamic batch dimension must really be dynamic.
        difference = largest_difference(network, partial, [example, example[:3]])
        if difference > TOLERANCE:
            raise ProjectError(
                f"the ONNX model differs from torch by up to {difference:.2e} (allowed "
                f"{TOLERANCE:.0e}), so it was not written; an operator without an exact ONNX "
                "equivalent is the usual cause"
            )
        description = {
            "task": settings.task,
            "checkpoint": str(path),
            "inputs": [{"name": names[0], "shape": ["batch", *example.shape[1:]]}],
            "outputs": [{"name": names[1], "shape": ["batch", *expected_shape]}],
            "dtype": "float32",
            "class_names": model.preprocessing.get("class_names"),
            "preprocessing": model.preprocessing,
            "max_difference": difference,
        }
        sidecar_partial.write_text(json.dumps(description, indent=2) + "\n")
    print(f"ONNX model: {output}\nDescription: {sidecar}")
    print(f"Largest difference between ONNX Runtime and torch: {difference:.2e}")
    return output


def write_onnx(network: torch.nn.Module, example: torch.Tensor, names: tuple, path: Path) -> None:
    """Export through torch.export (the dynamo exporter), with a dynamic batch dimension and the
    weights inside the one file."""
    batch = torch.export.Dim("batch")
    try:
        program = torch.onnx.export(
            network,
            (example,),
            dynamo=True,
            input_names=[names[0]],
            output_names=[names[1]],
            dynamic_shapes=({0: batch},),
            external_data=False,
            verbose=False,
        )
    except Exception as error:  # torch.export's errors have many types; all mean the same here
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise ProjectError(
            f"torch could not export the model to ONNX ({type(error).__name__}: {first_line})"
        ) from None
    program.save(str(path), external_data=False)


def largest_difference(network: torch.nn.Module, path: Path, batches: list) -> float:
    """The largest difference between ONNX Runtime and torch over `batches`: absolute for
    values up to 1, relative above."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name
    difference = 0.0
    for batch in batches:
        with torch.no_grad():
            expected = network(batch).numpy()
        (actual,) = session.run(None, {input_name: batch.numpy()})
        if actual.shape != expected.shape:
            raise ProjectError(
                f"the ONNX model returned shape {actual.shape} for a batch of {len(batch)}, "
                f"torch {expected.shape}; the batch dimension did not export as dynamic"
            )
        # Relative above 1: float32 keeps about seven digits, so a prediction of 150000 cannot
        # agree to 1e-4 absolute, whatever the exporter does.
        scaled = np.abs(actual - expected) / np.maximum(1.0, np.abs(expected))
        difference = max(difference, float(scaled.max()))
    return difference
