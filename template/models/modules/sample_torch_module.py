"""Plain torch.nn building blocks that the models in model_lit.py assemble."""

from collections.abc import Callable

from torch import nn


class MLP(nn.Sequential):
    """Linear layers with an activation and dropout between them.

    `hidden_dims` sets the width of each hidden layer; `output_activation` (for example nn.Tanh())
    is applied after the last layer when given.
    """

    def __init__(
        self,
        input_dim: int,
        hidden_dims: list[int],
        output_dim: int,
        dropout: float = 0.0,
        activation: Callable[[], nn.Module] = nn.ReLU,
        output_activation: nn.Module | None = None,
    ) -> None:
        layers: list[nn.Module] = []
        width = input_dim
        for hidden in hidden_dims:
            layers += [nn.Linear(width, hidden), activation(), nn.Dropout(dropout)]
            width = hidden
        layers.append(nn.Linear(width, output_dim))
        if output_activation is not None:
            layers.append(output_activation)
        super().__init__(*layers)
