"""A network of your own: one new file in models/modules/ and one setting train it, and tuning
draws its arguments, in a generated project of each data kind."""

import json
import shutil
import sys

import pytest

from tests.helpers import run

NETWORKS = {
    "table": (
        '''"""A residual perceptron: a block's input is added to its output."""

from torch import nn


class ResidualMLP(nn.Module):
    def __init__(self, input_dim: int, output_dim: int, width: int = 64, blocks: int = 2) -> None:
        super().__init__()
        self.inputs = nn.Linear(input_dim, width)
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.Linear(width, width), nn.ReLU()) for _ in range(blocks)
        )
        self.outputs = nn.Linear(width, output_dim)

    def forward(self, features):
        hidden = self.inputs(features)
        for block in self.blocks:
            hidden = hidden + block(hidden)
        return self.outputs(hidden)
''',
        "model.classification.network={class: ResidualMLP, width: 32, blocks: 1}",
        "model.classification.network.width",
    ),
    "images": (
        '''"""A tiny all-convolutional network."""

from torch import nn


class TinyConv(nn.Sequential):
    def __init__(self, channels: int, output_dim: int, width: int = 8) -> None:
        super().__init__(
            nn.Conv2d(channels, width, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(width, output_dim, 3, stride=2, padding=1),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )
''',
        "model.classification.network={class: TinyConv, width: 8}",
        "model.classification.network.width",
    ),
}
SHORT = [
    "trainer.max_epochs=1",
    "+trainer.limit_train_batches=5",
    "+trainer.limit_val_batches=2",
    "trainer.accelerator=cpu",
    "callbacks.progress_bar.refresh_rate=0",
    "tracker.name=csv",
]


@pytest.mark.parametrize("data_kind", NETWORKS)
def test_one_file_and_one_setting_train_a_new_network(render, tmp_path, data_kind):
    code, setting, tuned = NETWORKS[data_kind]
    project = tmp_path / "project"
    shutil.copytree(render(data_kind=data_kind), project)
    (project / "models/modules/my_network.py").write_text(code)
    extra = ["data.image_size=16"] if data_kind == "images" else []
    run([sys.executable, "main.py", "train", setting, *SHORT, *extra], cwd=project, timeout=600)
    used = (project / "outputs/settings.yaml").read_text()
    assert setting.split("{class: ")[1].split(",")[0] in used
    assert "test/acc" in json.loads((project / "outputs/metrics.json").read_text())
    # Tuning draws the new network's argument like any other setting.
    space = f"tune.space.classification={{{tuned}: {{type: categorical, choices: [4, 8]}}}}"
    run(
        [sys.executable, "main.py", "tune", "--trials", "2", setting, space, *SHORT, *extra],
        cwd=project,
        timeout=600,
    )
    assert tuned.rsplit(".", 1)[1] in (project / "outputs/tune/best_params.txt").read_text()
